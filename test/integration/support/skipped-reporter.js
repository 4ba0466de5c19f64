/**
 * Jest prints nothing for a test file whose tests were all skipped, even in verbose mode, so a run without
 * stack outputs would show only "13 skipped". This reporter prints those files and test names, whose
 * titles carry the reason, so a skip is always visible and explained.
 */
const path = require("node:path");

class SkippedTestsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onTestResult(_test, result) {
    if (!result.skipped) return;
    const lines = [`SKIPPED ${path.relative(this.rootDir, result.testFilePath)}`];
    let lastGroup;
    for (const t of result.testResults) {
      const group = t.ancestorTitles.join(" › ");
      if (group && group !== lastGroup) lines.push(`  ${group}`);
      lastGroup = group;
      lines.push(`    ○ skipped ${t.title}`);
    }
    process.stderr.write(`${lines.join("\n")}\n\n`);
  }
}

module.exports = SkippedTestsReporter;
