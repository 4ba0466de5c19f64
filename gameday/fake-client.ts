/**
 * Answers an AWS SDK v3 client's commands in this process: a middleware at the front of the client's
 * stack hands the command name and its (already validated) input to a fake control plane and returns
 * its answer as the command's output. The code under test keeps real SDK clients and real commands,
 * which is what its injectable dependencies expect; nothing is serialised or signed.
 */
export type CommandHandler = (commandName: string, input: Record<string, unknown>) => Promise<object>;

interface HasMiddlewareStack {
  middlewareStack: {
    add(
      mw: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<{ output: object; response: unknown }>,
      options: { step: "initialize"; name: string; priority: "high" },
    ): void;
  };
}

export function answeredBy<C extends HasMiddlewareStack>(client: C, handler: CommandHandler): C {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const name = (context.commandName ?? "").replace(/Command$/, "");
      const output = await handler(name, args.input as Record<string, unknown>);
      return { output: { ...output, $metadata: { httpStatusCode: 200 } }, response: {} };
    },
    { step: "initialize", name: "gamedayFakeControlPlane", priority: "high" },
  );
  return client;
}

/** An error shaped like the SDK's service exceptions (name, $fault, $metadata). */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode },
  });
}

/**
 * What a client sees when it calls a Region whose endpoints are gone: the connection is refused. Node
 * reports ECONNREFUSED, which the SDK and lambda/shared/retry.ts both treat as transient.
 */
export function regionUnreachable(region: string, service: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${service}.${region}.amazonaws.com:443`), {
    name: "Error",
    code: "ECONNREFUSED",
  });
}
