import { describe, expect, it } from "vitest";
import { idsToDelete, toSqsRecord } from "./queue-poller.ts";

const ids = ["a", "b", "c"];

describe("partial batch responses, by Lambda's rules", () => {
  it("delete everything after a success without failures", () => {
    expect(idsToDelete({ ok: true, result: undefined }, ids)).toEqual(ids);
    expect(idsToDelete({ ok: true, result: { batchItemFailures: [] } }, ids)).toEqual(ids);
  });

  it("keep only the listed failures", () => {
    expect(idsToDelete({ ok: true, result: { batchItemFailures: [{ itemIdentifier: "b" }] } }, ids)).toEqual([
      "a",
      "c",
    ]);
  });

  it("keep the whole batch after a throw or an invalid response", () => {
    expect(idsToDelete({ ok: false, error: new Error("x") }, ids)).toEqual([]);
    expect(idsToDelete({ ok: true, result: { batchItemFailures: [{ itemIdentifier: "zz" }] } }, ids)).toEqual([]);
    expect(idsToDelete({ ok: true, result: { batchItemFailures: [{}] } }, ids)).toEqual([]);
    expect(idsToDelete({ ok: true, result: { batchItemFailures: "b" } }, ids)).toEqual([]);
  });
});

describe("SQS messages as Lambda records", () => {
  it("carry the receive count, message attributes in Lambda's casing and the queue's ARN", () => {
    const record = toSqsRecord(
      {
        MessageId: "m1",
        ReceiptHandle: "r1",
        Body: "{}",
        MD5OfBody: "99914b932bd37a50b983c5e7c90ae93b",
        Attributes: { ApproximateReceiveCount: "3", SentTimestamp: "1" },
        MessageAttributes: { kind: { DataType: "String", StringValue: "birthday" } },
      },
      "arn:aws:sqs:us-east-1:000000000000:q",
      "us-east-1",
    );
    expect(record).toMatchObject({
      messageId: "m1",
      receiptHandle: "r1",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:q",
      attributes: { ApproximateReceiveCount: "3" },
      messageAttributes: { kind: { dataType: "String", stringValue: "birthday", stringListValues: [] } },
    });
  });
});
