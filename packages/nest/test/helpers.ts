import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/** A real Nest app (Express) listening on a free port of 127.0.0.1. */
export interface RunningNest {
  app: INestApplication;
  baseUrl: string;
  get<T>(token: Type<T> | string): T;
  close(): Promise<void>;
}

export async function startNest(imports: Array<DynamicModule | Type | Promise<DynamicModule>>, controllers: Type[] = [], providers: Type[] = []): Promise<RunningNest> {
  const moduleRef = await Test.createTestingModule({ imports, controllers, providers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, baseUrl, get: (token) => app.get(token), close: () => app.close() };
}

/** GET (or another method) with headers; the answer's status, JSON body and headers. */
export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: response.headers };
}

/** `value`, or a failed test naming what was missing (instead of a non-null assertion). */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}
