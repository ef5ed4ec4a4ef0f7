import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { makeLambdaClient } from "../../../adapters/lambda/client.ts";
import { call, metricDelta, metricSums, useLocalStack } from "./client.ts";

/**
 * Matching end to end: four signed-in users join the pool, the matcher runs (its schedule fired through the control
 * route), each sees their match, a pair accepts, and a decline sends both sides back to the pool, never to be
 * proposed to each other again (the next batch, through the matcher's URL, pairs nobody).
 */
const stack = useLocalStack();

const tennis = { activities: ["tennis"], when: ["sat-daytime"], where: "Palo Alto", must_haves: ["where"] };
const chess = { activities: ["chess"], when: ["sun-evening"], where: "Berlin", must_haves: ["where"] };

interface Match {
  readonly id: string;
  readonly partner: { readonly user_id: string };
  readonly status: string;
}

const signIn = async (sub: string): Promise<string> => {
  const idToken = await stack().idToken(sub);
  const answer = await call(stack().url("sessions"), "POST", "/auth/session", {
    body: { provider: "local", id_token: idToken },
  });
  return (answer.body as { session_id: string }).session_id;
};

describe("matching, end to end", () => {
  it("pairs the pool, lets a pair accept, and returns a decliner to the pool", async () => {
    const matching = stack().url("matching");
    const before = await metricSums(stack(), "Rendezvous/Matching");
    const users = ["ana", "ben", "cy", "dee"];
    const tokens = Object.fromEntries(await Promise.all(users.map(async (user) => [user, await signIn(user)])));
    const token = (user: string) => tokens[user] as string;
    for (const [user, chips] of [
      ["ana", tennis],
      ["ben", tennis],
      ["cy", chess],
      ["dee", chess],
    ] as const) {
      const joined = await call(matching, "PUT", "/intention", { bearer: token(user), body: { chips } });
      expect(joined.status, user).toBe(201);
      expect(joined.body).toMatchObject({ pool: { tier: 0 } });
    }

    const run = await stack().control("POST", "/_local/schedules/matcher/run", {});
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ function: "matcher", result: { status: "completed", pairs_created: 2 } });

    const matchOf = async (user: string) => call(matching, "GET", "/match", { bearer: token(user) });
    const partners: Record<string, string> = {};
    const matchIds: Record<string, string> = {};
    for (const user of users) {
      const answer = await matchOf(user);
      expect(answer.status, user).toBe(200);
      const { match } = answer.body as { match: Match };
      partners[user] = match.partner.user_id;
      matchIds[user] = match.id;
    }
    expect(partners).toEqual({ ana: "ben", ben: "ana", cy: "dee", dee: "cy" });

    for (const user of ["ana", "ben", "dee"]) {
      const accepted = await call(matching, "POST", `/match/${matchIds[user]}/accept`, { bearer: token(user) });
      expect(accepted.status, user).toBe(200);
    }
    expect((await matchOf("ana")).body).toMatchObject({ match: { status: "accepted" } });
    expect((await matchOf("dee")).body).toMatchObject({ match: { status: "proposed" } });

    const declined = await call(matching, "POST", `/match/${matchIds.cy}/decline`, { bearer: token("cy") });
    expect(declined.status).toBe(200);
    const back = await call(matching, "GET", "/intention", { bearer: token("cy") });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ pool: { tier: expect.any(Number) } });

    // The next batch, run by an operator through the matcher's URL: cy's only compatible partner is dee, and a
    // declined pair is never proposed again, so nobody is paired.
    const again = await call(stack().url("matcher"), "POST", "/run", { body: { trigger: "manual" } });
    expect(again).toMatchObject({ status: 200, body: { status: "completed", pairs_created: 0 } });
    expect((await matchOf("cy")).status).toBe(404);
    expect((await matchOf("ben")).body).toMatchObject({ match: { status: "accepted", partner: { user_id: "ana" } } });

    // The matching metrics of those two runs and four answers (GET /_local/metrics).
    const delta = await metricDelta(stack(), "Rendezvous/Matching", before);
    expect(delta).toMatchObject({
      "BatchRuns{Outcome=completed}": 2,
      PoolSize: 4 + 2,
      "Pairs{Tier=0}": 2,
      "MatchResponses{Response=accepted}": 3,
      "MatchResponses{Response=declined}": 1,
    });
    expect(delta.BatchDuration).toBeGreaterThanOrEqual(0);
    expect(Object.keys(delta).filter((key) => key.startsWith("BatchRuns"))).toEqual(["BatchRuns{Outcome=completed}"]);
  });

  it(`runs a batch on \`aws lambda invoke --function-name <matcher> --payload '{"trigger":"manual"}'\``, async () => {
    const { outputs } = stack();
    const lambda = makeLambdaClient({
      region: outputs.region,
      endpoint: outputs.lambdaEndpoint,
      requestTimeoutMs: 30_000,
    });
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: outputs.functionNames.matcher,
        Payload: new TextEncoder().encode('{"trigger":"manual"}'),
      }),
    );
    expect(answer.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(answer.Payload))).toMatchObject({
      status: "completed",
      pairs_created: 0,
    });
  });
});
