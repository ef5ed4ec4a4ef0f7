/**
 * `Environment` and `Service` on every taggable resource, as the services this replaces had. A stack
 * transformation sets them on each resource whose type takes `tags` (the SDK's generated classes pass a `tags`
 * input exactly then), merged over any tags the resource sets itself. The stack files' `aws:defaultTags` carry the
 * same pair, for what the engine creates outside this process (children of packaged components such as awsx's).
 */
import * as pulumi from "@pulumi/pulumi";

export const SERVICE = "rendezvous";

export const stackTags = (stage: string): Record<string, string> => ({ Environment: stage, Service: SERVICE });

/** The transformation, pure: the tests apply it to recorded inputs too. */
export const withTags =
  (tags: Record<string, string>): pulumi.ResourceTransformation =>
  ({ props, opts }) => {
    if (!("tags" in props)) return undefined;
    const own = props.tags as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    return {
      props: { ...props, tags: own === undefined ? tags : pulumi.output(own).apply((t) => ({ ...t, ...tags })) },
      opts,
    };
  };

/** Registers the transformation for every resource created after it in this stack. */
export const tagEveryResource = (stage: string): void => {
  pulumi.runtime.registerStackTransformation(withTags(stackTags(stage)));
};
