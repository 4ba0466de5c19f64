/** arn:aws:sqs:REGION:ACCOUNT:NAME -> https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (.com.cn in China). */
export function queueUrlFromArn(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, region, account, name] = m;
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
