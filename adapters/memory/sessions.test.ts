import { sessionStoreContract } from "../dynamodb/sessions-contract.ts";
import { makeMemorySessionStore } from "./sessions.ts";

sessionStoreContract("memory", async () => makeMemorySessionStore().store);
