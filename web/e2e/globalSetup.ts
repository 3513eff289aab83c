/** One real stack for the whole browser run; the tests read where it is with `inject("stack")`. */

import type { TestProject } from "vitest/node";
import { Stack, type StackInfo } from "./stack";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let stack: Stack | null = null;

export async function setup(project: TestProject): Promise<void> {
  stack = await Stack.create();
  const started = Date.now();
  try {
    await stack.start();
    console.log(`e2e: mercato up was ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  project.provide("stack", stack.info);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
