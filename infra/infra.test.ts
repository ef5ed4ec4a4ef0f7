/**
 * The Pulumi program's suites, in one test file: vitest gives every test file a process of its own, and importing
 * `@pulumi/pulumi` and `@pulumi/aws` costs seconds each time, while a CI runner with two cores runs the files one
 * after another. Here the SDK loads once and suites that inspect the same deployment share its run (`sharedRun`).
 * Each suite lives in `<subject>.suite.ts`; `npx vitest run infra/infra.test.ts -t "<describe name>"` runs one.
 */
import "./stack.suite.ts";
import "./platform.suite.ts";
import "./stages.suite.ts";
import "./access.suite.ts";
import "./release.suite.ts";
import "./index.suite.ts";
import "./network.suite.ts";
import "./cost.suite.ts";
import "./bundle.suite.ts";
import "./preflight.suite.ts";
import "./permissions.suite.ts";
import "./observability.suite.ts";
