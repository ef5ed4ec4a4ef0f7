import type { QueueTrigger, ScheduleTrigger, UrlTrigger } from "../manifest.ts";
import type { RuntimeClock } from "./clock.ts";
import type { Engines } from "./engines.ts";
import { RESOURCE_PREFIX } from "./engines.ts";
import { errorText, type LocalFunction } from "./invoke.ts";
import { type InvokeServer, startInvokeServer } from "./invoke-server.ts";
import type { PortPlan } from "./port-plan.ts";
import { type QueuePoller, startQueuePoller } from "./queue-poller.ts";
import { type ScheduleRunner, startSchedules } from "./schedules.ts";
import { startUrlServer, type UrlServer } from "./url-server.ts";

/**
 * Each function behind its triggers: deploy-time functions (the migrator) run once first, then the Lambda Invoke
 * API for every function (an `invoke` trigger needs nothing more), a URL server per URL trigger, the schedules and
 * a poller per queue trigger.
 */
export interface Services {
  readonly urls: Record<string, string>;
  /** The Lambda Invoke API's endpoint (`AWS_ENDPOINT_URL_LAMBDA`). */
  readonly lambdaEndpoint: string;
  readonly schedules: ScheduleRunner;
  /** Every queue consumer's failed messages visible now (QueuePoller.retryNow); how many were released. */
  retryNow(): Promise<number>;
  stop(): Promise<void>;
}

export const startServices = async (input: {
  functions: readonly LocalFunction[];
  ports: PortPlan;
  clock: RuntimeClock;
  engines: Engines;
  corsOrigins: readonly string[];
  region: string;
}): Promise<Services> => {
  const triggersOf = <K extends string>(kind: K) =>
    input.functions.flatMap((fn) =>
      fn.spec.triggers.filter((trigger) => trigger.kind === kind).map((trigger) => ({ fn, trigger })),
    );
  for (const { fn } of triggersOf("deploy")) {
    const outcome = await fn.invoke("deploy", { source: "rendezvous.deploy" });
    if (!outcome.ok) throw new Error(`${fn.spec.name} (deploy) failed: ${errorText(outcome.error)}`);
  }
  const servers: Array<UrlServer | InvokeServer> = [];
  const pollers: QueuePoller[] = [];
  let schedules: ScheduleRunner | undefined;
  const stop = async () => {
    await schedules?.stop();
    await Promise.all(pollers.map((poller) => poller.stop()));
    await Promise.all(servers.map((server) => server.close()));
  };
  try {
    const invokeServer = await startInvokeServer({
      functions: input.functions,
      port: input.ports.lambda,
      region: input.region,
      stackName: (name) => `${RESOURCE_PREFIX}-${name}`,
    });
    servers.push(invokeServer);
    const urls: Record<string, string> = {};
    for (const { fn, trigger } of triggersOf("url")) {
      const server = await startUrlServer({
        fn,
        trigger: trigger as UrlTrigger,
        port: input.ports.functions[fn.spec.name] ?? 0,
        cors: { origins: input.corsOrigins },
        now: () => input.clock.now(),
      });
      servers.push(server);
      urls[fn.spec.name] = server.url;
    }
    const scheduled = triggersOf("schedule").map(({ fn, trigger }) => ({ fn, trigger: trigger as ScheduleTrigger }));
    schedules = startSchedules(scheduled, input.clock);
    for (const { fn, trigger } of triggersOf("queue")) {
      pollers.push(
        startQueuePoller({
          fn,
          trigger: trigger as QueueTrigger,
          sqs: input.engines.sqs,
          queueUrl: input.engines.queue.url,
          queueArn: input.engines.queue.arn,
          region: input.region,
        }),
      );
    }
    const retryNow = async () =>
      (await Promise.all(pollers.map((poller) => poller.retryNow()))).reduce((sum, count) => sum + count, 0);
    return { urls, lambdaEndpoint: invokeServer.url, schedules, retryNow, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
