import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startWebhookReceiver } from "../../adapters/webhook/receiver.ts";
import { newWebhookSecret } from "../../adapters/webhook/signature.ts";
import { type FunctionSpec, functions as manifestFunctions, type Setting, timeoutOf } from "../manifest.ts";
import { setClockSource } from "../runtime/clock.ts";
import { startAwsCallRecorder } from "./aws-calls.ts";
import { RuntimeClock } from "./clock.ts";
import { buildConsoleAssets } from "./console-assets.ts";
import { consoleRoutes } from "./console-routes.ts";
import { startControlServer } from "./control.ts";
import { prepareDataDirs } from "./data-dir.ts";
import { makeDataViews } from "./data-views.ts";
import { databaseCredentialsIn } from "./database-credentials.ts";
import { startEngines } from "./engines.ts";
import { applyEnv, localEnv } from "./env.ts";
import { makeLocalIdp } from "./idp.ts";
import { type LocalFunction, loadHandler, makeLocalFunction } from "./invoke.ts";
import { startObserving } from "./observed.ts";
import { type LocalOutputs, makeOutputs, queueDepths } from "./outputs.ts";
import { type PortOptions, type PortPlan, planPorts } from "./port-plan.ts";
import { PortInUse } from "./ports.ts";
import { startServices } from "./services.ts";
import { LOCAL_WEBHOOK_URL_PARAMETER, startSsmStandIn } from "./ssm.ts";

/**
 * `npm start` as a function: engines, resources, the environment contract, every function of the manifest behind
 * its triggers, the local identity provider, the webhook receiver and the control routes. `stop()` shuts all of
 * it down and keeps the data (unless ephemeral).
 */
export interface LocalRuntimeOptions {
  /** @default ".rendezvous" under the project root */
  readonly dataDir?: string;
  /** @default base 4400; "free" lets the OS pick every port (tests) */
  readonly ports?: PortOptions | "free";
  /** Start from empty data. */
  readonly fresh?: boolean;
  /** Tests: fsync off; without a dataDir, a temporary one removed on stop. */
  readonly ephemeral?: boolean;
  /** Stack settings (`latePolicy`, `sendTime`, ...) over the process environment. */
  readonly settings?: Partial<Record<Setting, string>>;
  /** Origins the function URLs allow. @default CORS_ORIGINS from the environment, else ["*"] */
  readonly corsOrigins?: readonly string[];
  /** Where the runtime's own log lines go. @default stdout */
  readonly log?: (line: string) => void;
  /** Every line written to stdout or stderr while the runtime runs: the functions' logs and metrics. */
  readonly onLine?: (line: string) => void;
  /** The functions to serve. @default the manifest's */
  readonly functions?: readonly FunctionSpec[];
  /** Where `npm start` bundled the handlers (start.mjs); without it they load from their TypeScript source. */
  readonly bundleDir?: string;
}

export interface LocalRuntime {
  readonly outputs: LocalOutputs;
  readonly controlUrl: string;
  readonly urls: Record<string, string>;
  readonly ports: PortPlan;
  readonly dataDir: string;
  /** PostgreSQL's cluster: `<dataDir>/postgres`, or where it is kept when the postgres user cannot reach that. */
  readonly postgresDataDir: string;
  stop(): Promise<void>;
}

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REGION = "us-east-1";

const corsFromEnv = (): string[] => {
  const configured = process.env.CORS_ORIGINS;
  if (!configured) return ["*"];
  const parsed: unknown = JSON.parse(configured);
  if (!Array.isArray(parsed)) throw new Error("CORS_ORIGINS: expected a JSON array of origins");
  return parsed.map(String);
};

/** The Standard Webhooks secret of the local receiver, kept so in-flight deliveries still verify after a restart. */
const webhookSecretIn = (dataDir: string): string => {
  const file = join(dataDir, "webhook-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = newWebhookSecret();
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
};

/**
 * With `ports: "free"` (tests) each port is picked by the OS, then bound a moment later: another process (a client
 * socket's ephemeral port, a parallel test file) may take one in between. Such a start is stopped cleanly and tried
 * again on new ports; a port asked for by number is never retried.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const raced = options.ports === "free" && (error instanceof PortInUse || /EADDRINUSE/.test(String(error)));
      if (!raced || attempt >= 3) throw error;
    }
  }
};

const startOnce = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const specs = options.functions ?? manifestFunctions;
  const urlSpecs = specs.filter((fn) => fn.triggers.some((trigger) => trigger.kind === "url"));
  const temporary = options.dataDir === undefined && options.ephemeral === true;
  // Before the port check: a PostgreSQL that a killed start left running on this data still holds its port.
  const dataDirs = await prepareDataDirs({
    dataDir: options.dataDir,
    defaultDir: join(PROJECT_ROOT, ".rendezvous"),
    fresh: options.fresh ?? false,
    temporary,
    log,
  });
  const dataDir = dataDirs.dir;
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  };
  if (temporary) cleanups.push(() => dataDirs.remove());
  try {
    const ports = await planPorts(options.ports ?? {}, urlSpecs);
    // Every AWS call each function makes, for infra/'s proof that its policy allows them (issue 14).
    const awsCalls = startAwsCallRecorder(process.env.RENDEZVOUS_AWS_CALLS_FILE);
    cleanups.push(() => awsCalls.stop());
    // What every function writes, per invocation, and its EMF metrics (GET /_local/invocations, /_local/metrics).
    const observer = startObserving(options.onLine);
    cleanups.push(() => observer.stop());
    const clock = new RuntimeClock(join(dataDir, "clock.json"));
    setClockSource(() => clock.now());
    cleanups.push(() => setClockSource(() => new Date()));

    // The engines start first (PostgreSQL's initdb is most of a fresh start) while the servers and the identity
    // provider's key pair are made beside them.
    const consumer = specs.find((fn) => fn.triggers.some((trigger) => trigger.kind === "queue"));
    const enginesStarting = startEngines({
      dataDir,
      postgresDir: dataDirs.postgres,
      ports,
      region: REGION,
      ephemeral: options.ephemeral ?? false,
      consumerTimeoutSeconds: consumer ? timeoutOf(consumer) : 10,
    });
    enginesStarting.catch(() => {}); // awaited below; this only keeps a failure meanwhile from going unhandled
    const consoleBuilding = buildConsoleAssets(); // in memory, while PostgreSQL starts
    consoleBuilding.catch(() => {});
    cleanups.push(async () => (await enginesStarting.catch(() => undefined))?.stop());

    const control = await startControlServer(ports.control);
    cleanups.push(() => control.close());
    const webhookSecret = webhookSecretIn(dataDir);
    const receiverStarting = startWebhookReceiver({
      secret: webhookSecret,
      port: ports.webhooks,
      clock: () => clock.now(),
      // Kept across restarts (and kills): GET /_local/webhooks shows every webhook this data dir ever received.
      logFile: join(dataDir, "webhooks.jsonl"),
    });
    receiverStarting.catch(() => {});
    cleanups.push(async () => (await receiverStarting.catch(() => undefined))?.close());
    const idp = await makeLocalIdp({
      baseUrl: `${control.url}/_local/idp`,
      keyFile: join(dataDir, "idp-key.json"),
      now: () => clock.now(),
    });
    const receiver = await receiverStarting;
    const engines = await enginesStarting;
    const corsOrigins = options.corsOrigins ?? corsFromEnv();
    // The webhook URL as SSM serves it in AWS: the dispatcher reads it through the same GetParameter path.
    const ssm = await startSsmStandIn({
      port: ports.ssm,
      region: REGION,
      // The same precedence as WEBHOOK_URL (apps/local/env.ts): a stack setting, a developer's own receiver, ours.
      parameters: {
        [LOCAL_WEBHOOK_URL_PARAMETER]: options.settings?.webhookUrl ?? process.env.WEBHOOK_URL ?? receiver.url,
      },
    });
    cleanups.push(() => ssm.close());
    const env = localEnv({
      ssm: { endpoint: ssm.url, webhookUrlParameter: LOCAL_WEBHOOK_URL_PARAMETER },
      engines,
      region: REGION,
      idp,
      webhookSecret,
      webhookUrl: receiver.url,
      lambdaEndpoint: `http://127.0.0.1:${ports.lambda}`,
      corsOrigins,
      databaseCredentialsFile: await databaseCredentialsIn(dataDir),
      ...(options.settings ? { settings: options.settings } : {}),
      queueStartedAt: clock.now(),
    });
    cleanups.push(applyEnv(env));

    const loaded: LocalFunction[] = await Promise.all(
      specs.map(async (spec) =>
        makeLocalFunction(spec, await loadHandler(PROJECT_ROOT, spec, options.bundleDir), log, REGION, observer),
      ),
    );
    const services = await startServices({ functions: loaded, ports, clock, engines, corsOrigins, region: REGION });
    cleanups.push(() => services.stop());

    const outputs = makeOutputs({
      region: REGION,
      functions: specs,
      urls: services.urls,
      engines,
      controlUrl: control.url,
      webhookUrl: receiver.url,
      lambdaEndpoint: services.lambdaEndpoint,
    });
    writeFileSync(join(dataDir, "outputs.json"), `${JSON.stringify(outputs, null, 2)}\n`);
    const data = makeDataViews(engines.databaseUrl);
    cleanups.push(() => data.close());
    control.attach({
      outputs: () => outputs,
      clock,
      schedules: services.schedules,
      idp,
      webhooks: () => receiver.received(),
      queues: () => queueDepths(engines.sqs, engines),
      observer,
      functions: specs.map((spec) => spec.name),
      more: consoleRoutes({
        assets: await consoleBuilding,
        functions: specs,
        urls: services.urls,
        schedules: services.schedules,
        receiver,
        sqs: engines.sqs,
        queue: engines.queue,
        retryNow: () => services.retryNow(),
        data,
      }),
    });
    const postgresDataDir = dataDirs.postgres;
    return { outputs, controlUrl: control.url, urls: services.urls, ports, dataDir, postgresDataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
