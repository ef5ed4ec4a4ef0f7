import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string;
  readonly steps: Step[];
}

const root = new URL("..", import.meta.url);
const workflow = parse(readFileSync(new URL(".github/workflows/deploy.yml", root), "utf8")) as {
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> })
  .scripts;
const runs = (job: Job): string[] => job.steps.flatMap((s) => (s.run ? s.run.split("\n").filter(Boolean) : []));

describe("the deploy workflow", () => {
  it("runs only npm commands that package.json defines", () => {
    const npm = Object.values(workflow.jobs)
      .flatMap(runs)
      .filter((line) => line.startsWith("npm "));
    expect(npm.length).toBeGreaterThan(0);
    for (const line of npm) {
      const [, command, script] = line.split(/\s+/);
      if (command === "ci") continue;
      const name = command === "run" ? script : command;
      expect(scripts, `${line}: no script "${name}" in package.json`).toHaveProperty(name ?? "");
    }
  });

  it("tests first, then for each stack: pulumi up, its outputs as JSON, and the smoke against them", () => {
    expect(runs(workflow.jobs.test as Job)).toEqual(["npm ci", "npm test"]);
    for (const stack of ["staging", "production"]) {
      const job = workflow.jobs[stack] as Job;
      expect(job.needs).toBe("test");
      expect(job.environment).toBe(stack);
      const commands = runs(job);
      const up = commands.findIndex((c) => c.startsWith(`pulumi up --stack ${stack} --yes`));
      const output = commands.indexOf(`pulumi stack output --stack ${stack} --json > ${stack}-outputs.json`);
      const smoke = commands.indexOf(`npm run smoke -- ${stack}-outputs.json`);
      expect([up >= 0, output > up, smoke > output]).toEqual([true, true, true]);
    }
    expect(workflow.jobs.production?.if).toContain("workflow_dispatch");
  });

  it("reaches AWS through an OIDC role, never long-lived keys", () => {
    expect(workflow.permissions["id-token"]).toBe("write");
    const text = readFileSync(new URL(".github/workflows/deploy.yml", root), "utf8");
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
    for (const stack of ["staging", "production"]) {
      const aws = (workflow.jobs[stack] as Job).steps.find((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials"),
      );
      expect(aws?.with?.["role-to-assume"]).toMatch(/AWS_DEPLOY_ROLE_ARN/);
    }
  });
});
