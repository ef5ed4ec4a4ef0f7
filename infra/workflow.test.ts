import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  readonly run?: string;
  readonly shell?: string;
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

  it("tests first, then for each stack: select or create it, pulumi up, its outputs as JSON, the smoke", () => {
    expect(runs(workflow.jobs.test as Job)).toEqual(["npm ci", "npm test"]);
    for (const stack of ["staging", "production"]) {
      const job = workflow.jobs[stack] as Job;
      expect(job.environment).toBe(stack);
      const commands = runs(job);
      const select = commands.findIndex((c) => c.startsWith(`pulumi stack select ${stack} --create`));
      const up = commands.findIndex((c) => c.startsWith(`pulumi up --stack ${stack} --yes`));
      const output = commands.indexOf(`pulumi stack output --stack ${stack} --json > ${stack}-outputs.json`);
      const smoke = commands.indexOf(`npm run smoke -- ${stack}-outputs.json`);
      expect([select >= 0, up > select, output > up, smoke > output]).toEqual([true, true, true, true]);
    }
    expect(workflow.jobs.staging?.needs).toBe("test");
  });

  it("deploys production only from main, after staging, with a preview shown before the approval", () => {
    const production = workflow.jobs.production as Job;
    const preview = workflow.jobs["production-preview"] as Job;
    for (const job of [production, preview]) {
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      expect(job.if).toContain("github.event.inputs.stack == 'production'");
    }
    // Staging runs on every push and dispatch (no condition), so production's dispatch deploys staging first.
    expect(workflow.jobs.staging?.if).toBeUndefined();
    expect(production.needs).toEqual(expect.arrayContaining(["staging", "production-preview"]));
    expect(preview.needs).toBe("staging");
    // The preview runs outside the reviewed environment, so it is on the summary page before anyone approves.
    expect(preview.environment).not.toBe("production");
    const commands = runs(preview);
    const select = commands.indexOf("pulumi stack select production --create");
    const shown = commands.findIndex((c) => c.startsWith("pulumi preview --stack production") && c.includes("tee"));
    const summary = commands.findIndex((c) => c.includes("$GITHUB_STEP_SUMMARY"));
    expect([select >= 0, shown > select, summary > shown]).toEqual([true, true, true]);
    expect(preview.steps.find((s) => s.run?.includes("| tee"))?.shell).toBe("bash");
    expect(runs(production).some((c) => c.startsWith("pulumi preview"))).toBe(false);
  });

  it("reaches AWS through an OIDC role, never long-lived keys", () => {
    expect(workflow.permissions["id-token"]).toBe("write");
    const text = readFileSync(new URL(".github/workflows/deploy.yml", root), "utf8");
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
    for (const stack of ["staging", "production-preview", "production"]) {
      const aws = (workflow.jobs[stack] as Job).steps.find((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials"),
      );
      expect(aws?.with?.["role-to-assume"]).toMatch(/AWS_DEPLOY_ROLE_ARN/);
    }
  });
});
