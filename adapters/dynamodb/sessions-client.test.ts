import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { marshall, signRequest, unmarshall } from "./sessions-client.ts";

describe("the sessions table's DynamoDB client", () => {
  it.each([undefined, "session-token-value"])(
    "signs exactly as the AWS SDK's SigV4 signer does (session token: %s)",
    async (sessionToken) => {
      const credentials = {
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ...(sessionToken ? { sessionToken } : {}),
      };
      const url = new URL("https://dynamodb.eu-west-1.amazonaws.com/");
      const body = JSON.stringify({ TableName: "sessions", Key: { pk: { S: "abc" } }, ConsistentRead: true });
      const headers = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" };
      const now = new Date("2026-11-23T10:11:12.345Z");
      const ours = signRequest(url, headers, body, { region: "eu-west-1", credentials }, now);
      const sdk = await new SignatureV4({
        service: "dynamodb",
        region: "eu-west-1",
        credentials,
        sha256: Sha256,
        applyChecksum: false, // x-amz-content-sha256 is S3's; DynamoDB does not ask for it
      }).sign(
        {
          method: "POST",
          protocol: "https:",
          hostname: url.hostname,
          path: "/",
          headers: { ...headers, host: url.host },
          body,
        },
        { signingDate: now },
      );
      expect(ours.authorization).toBe(sdk.headers.authorization);
      expect(ours["x-amz-date"]).toBe("20261123T101112Z");
    },
  );

  it("marshalls the plain values the store writes, and reads them back", () => {
    const item = { pk: "a", generation: 3, ttl: 1_800_000_000, flag: true, gone: undefined };
    const typed = marshall(item);
    expect(typed).toEqual({ pk: { S: "a" }, generation: { N: "3" }, ttl: { N: "1800000000" }, flag: { BOOL: true } });
    expect(unmarshall(typed)).toEqual({ pk: "a", generation: 3, ttl: 1_800_000_000, flag: true });
    expect(unmarshall({ m: { M: { l: { L: [{ S: "x" }, { NULL: true }] } } } })).toEqual({ m: { l: ["x", null] } });
    expect(() => marshall({ bad: Number.NaN })).toThrow(/bad/);
  });
});
