/**
 * Settles the shape of Node's own tick objects before the app runs.
 *
 * Every request on the verify lane goes through `process.nextTick` a few times (the request
 * stream's resume and end, the response's finish). `nextTick` builds each tick as an object
 * literal with computed (symbol) keys. Measured with `perf` on the PostgreSQL + Redis server:
 * in some processes that literal ends up on V8's slow path for good
 * (`Runtime_DefineKeyedOwnPropertyInLiteral` → `JSObject::MigrateToMap` on every tick), and the
 * malformed-key flood answered about 50,000 requests/s instead of about 59,000; whether a
 * process fell into it depended on what ran first (the drivers' start-up). Calling `nextTick`
 * with each arity it meets, many times, before anything else, lets it be optimised once with
 * all of them: six starts of six were then fast, against two of six without.
 */
export function settleTickShapes(rounds = 20_000): Promise<void> {
  return new Promise((resolve) => {
    let n = 0;
    const step = (): void => {
      n += 1;
      if (n >= rounds) resolve();
      else if (n % 3 === 0) process.nextTick(step, 1, 2);
      else if (n % 3 === 1) process.nextTick(step);
      else process.nextTick(step, 'x');
    };
    step();
  });
}
