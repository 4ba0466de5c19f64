/**
 * The resource recorder of the one Pulumi mock runtime, shared by the unit tests and the offline plan
 * (tooling/plan/run-plan.ts).
 *
 * It records, for every resource the program registers: type, name, URN, inputs (secrets marked),
 * provider and region, parent, dependencies and resource options. The answers (ids, ARNs, invoke
 * results) come from the fake AWS state in fake-aws.ts.
 *
 * Call `installMocks` BEFORE importing the program (use a dynamic import), then `settle()`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { callResult, fakeState, type FakeAccount } from "./fake-aws";

import { MOCK_CONFIG_DEFAULTS } from "./program-run";
import { RecordedResource, SecretValue } from "./recorded";

export { ACCOUNT_ID, fakeState } from "./fake-aws";
export type { FakeAccount } from "./fake-aws";
export { SecretValue } from "./recorded";
export type { RecordedResource } from "./recorded";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

const resources: RecordedResource[] = [];
const providerRegions = new Map<string, string>();
let inFlight = 0;

export function recorded(): RecordedResource[] {
  return resources;
}

/** Resources of one type, e.g. "aws:rds/cluster:Cluster". */
export function ofType(type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** Resolves an Output (or Input) to its value. */
export function promiseOf<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

/** Waits until every registration the program started has been answered. */
export async function settle(): Promise<void> {
  let quiet = 0;
  while (quiet < 20) {
    await new Promise((r) => setImmediate(r));
    quiet = inFlight === 0 ? quiet + 1 : 0;
  }
}

function stripSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return new SecretValue(stripSecrets(o.value));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, stripSecrets(x)]));
  }
  return v;
}

export interface MockOptions {
  /** Stack config, keys fully qualified ("tap:environmentSuffix"). */
  readonly config?: Record<string, string>;
  readonly project?: string;
  readonly stack?: string;
  /** What already exists in the fake account. Default: nothing (a first deploy). */
  readonly account?: FakeAccount;
}

/** Installs the mocks and the recorder. Import the program only after this has resolved. */
export async function installMocks(opts: MockOptions = {}): Promise<void> {
  resources.length = 0;
  providerRegions.clear();
  const project = opts.project ?? "tap";
  const stack = opts.stack ?? "dev";
  const config = { ...MOCK_CONFIG_DEFAULTS, ...opts.config };
  pulumi.runtime.setAllConfig(config);

  const regionOf = (providerRef: string | undefined, inputs: Record<string, unknown>) => {
    if (typeof inputs.region === "string") return inputs.region;
    if (!providerRef) return undefined;
    return providerRegions.get(providerRef.split("::").slice(0, -1).join("::"));
  };

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:providers:aws") {
          return { id: `${args.name}-provider`, state: { ...inputs } };
        }
        if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-provider`, state: inputs };
        const region = regionOf(args.provider, inputs) ?? "global";
        return fakeState(args.type, args.name, inputs, region);
      },
      call(args) {
        const region = regionOf(args.provider, args.inputs) ?? "us-east-1";
        return callResult(args.token, args.inputs, region, opts.account);
      },
    },
    project,
    stack,
    false,
  );

  // Wrap the mock monitor to see what setMocks does not pass on: parent, dependencies and options.
  const monitor = settings.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void): void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    inFlight++;
    original(req, (err, res) => {
      try {
        if (!err && res) record(req, res);
      } finally {
        inFlight--;
        cb(err, res);
      }
    });
  };

  function record(req: RegisterRequest, res: RegisterResponse) {
    const type = req.getType();
    const urn = res.getUrn();
    const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const inputs = stripSecrets(raw) as Record<string, unknown>;
    if (type.startsWith("pulumi:providers:")) {
      if (typeof inputs.region === "string") providerRegions.set(urn, inputs.region);
    }
    const providerRef = req.getProvider() || undefined;
    const providerUrn = providerRef ? providerRef.split("::").slice(0, -1).join("::") : undefined;
    resources.push({
      type,
      name: req.getName(),
      urn,
      inputs,
      custom: req.getCustom(),
      providerUrn,
      region: type.startsWith("pulumi:providers:")
        ? (inputs.region as string | undefined)
        : ((typeof inputs.region === "string" ? inputs.region : undefined) ??
          (providerUrn ? providerRegions.get(providerUrn) : undefined)),
      parentUrn: req.getParent() || undefined,
      dependencies: [...new Set(req.getDependenciesList())],
      protect: req.getProtect?.() ?? false,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
      retainOnDelete: req.getRetainondelete?.() ?? false,
      id: res.getId(),
      state: (res.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    });
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
  getDependenciesList(): string[];
  getProtect?(): boolean;
  getIgnorechangesList?(): string[];
  getDeletebeforereplace?(): boolean;
  getRetainondelete?(): boolean;
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
}
