/**
 * The day-one world's IAM evaluation gives every request the context AWS gives a signed request by an
 * IAM principal (aws:PrincipalArn and the rest), so a deny "to all but these roles" (issue 24's queue
 * and key policies) spares the listed roles, as on AWS, and still denies everyone else.
 */
import { evaluate, signedRequestContext } from "../../gameday/day-one/iam";

const ACCOUNT = "123456789012";
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`;
const WRITER = `arn:aws:iam::${ACCOUNT}:role/api-sqs-role`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/ci-role`;
const sendAnywhere = [
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }] },
];
// The shape of lib/orders/queue-writers.ts's policy.
const queuePolicy = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      Principal: "*",
      Action: "sqs:*",
      Resource: QUEUE,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Effect: "Deny",
      Principal: "*",
      Action: "sqs:SendMessage",
      Resource: QUEUE,
      Condition: {
        BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
        ArnNotEquals: { "aws:PrincipalArn": [WRITER] },
      },
    },
  ],
};
const send = (principal: string, context?: Record<string, string>) =>
  evaluate({
    principal,
    action: "sqs:SendMessage",
    resource: QUEUE,
    account: ACCOUNT,
    identityPolicies: sendAnywhere,
    resourcePolicy: queuePolicy,
    context,
  });

describe("day-one IAM request context", () => {
  it("a role's request carries its ARN, its account, not-a-service and TLS", () => {
    expect(signedRequestContext(WRITER)).toEqual({
      "aws:PrincipalArn": WRITER,
      "aws:PrincipalAccount": ACCOUNT,
      "aws:PrincipalIsAWSService": "false",
      "aws:SecureTransport": "true",
    });
  });

  it("the queue's writer may send; any other role with an identity allow is explicitly denied", async () => {
    expect(await send(WRITER)).toEqual({ allowed: true });
    const other = await send(OTHER);
    expect(other.allowed).toBe(false);
    expect(!other.allowed && other.reason).toMatch(/ExplicitlyDenied/);
  });

  it("a request's own context wins: the writer over plain HTTP meets the TLS-only deny", async () => {
    const plain = await send(WRITER, { "aws:SecureTransport": "false" });
    expect(!plain.allowed && plain.reason).toMatch(/ExplicitlyDenied/);
  });
});
