import { startFauxqs } from "fauxqs";

/**
 * SQS's wire protocol from `fauxqs`, in process: visibility timeouts, long polling and redrive to a dead-letter
 * queue all behave as in AWS. Its queue URLs name hosts that do not resolve, so SQS clients pointed at it must
 * set `useQueueUrlAsEndpoint: false` (see adapters/sqs).
 */
export interface RunningSqs {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export const startSqs = async (options: { port?: number } = {}): Promise<RunningSqs> => {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
};
