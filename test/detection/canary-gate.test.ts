/**
 * D2: the canaries pass on a healthy deploy. Each expects, for its anonymous order, the status API Gateway
 * gives the authorization type of the POST /orders method it calls: 403 for AWS_IAM (dev), 401 for the
 * CUSTOM JWT authorizer (prod). https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import { PRODUCTION_CONFIG, ProgramRun, runProgram } from "../program";

const CANARY = "aws:synthetics/canary:Canary";
const METHOD = "aws:apigateway/method:Method";

describe.each([
  ["dev", {}, "AWS_IAM", "403"],
  ["prod", PRODUCTION_CONFIG, "CUSTOM", "401"],
])("canary order gate (%s)", (stack, config, authorization, status) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(config, stack);
  });

  it.each([
    ["primary-service-canary", "primary"],
    ["secondary-service-canary", "secondary"],
    ["secondary-service-probe", "primary"],
  ])(
    `D2: the %s canary expects ${status} from the %s API's ${authorization} POST /orders`,
    (canary, target) => {
      const c = run.named(CANARY, `tap-${stack}-${canary}`);
      const env = (c.inputs.runConfig as { environmentVariables: Record<string, string> })
        .environmentVariables;
      expect(env).toEqual({
        API_BASE_URL: run.outputs[`${target}ApiEndpoint`],
        ANONYMOUS_ORDER_STATUS: status,
      });
      const post = run.named(METHOD, `tap-${stack}-${target}-service-api-post-orders`);
      expect(post.inputs.authorization).toBe(authorization);
    },
  );
});
