import type { LimitCheck, LimitResult } from './limiter.js';
import type { LimitDecision, LimitRule } from './rules.js';

/**
 * The Redis limiter's script and its encoding, pure: no client here. The server's RedisLimiter
 * and the embeddable library's run this same text, so a limit decided in Redis is decided the same
 * way whichever face asked.
 *
 * The script mirrors `rules.ts` operation by operation: Lua numbers are doubles like
 * JavaScript's, so the same arithmetic in the same order gives bit-identical results. `%` is
 * `math.fmod` (C fmod, which is what JavaScript's `%` computes), not Lua's `%`, which is defined
 * as `a - floor(a/b)*b` and may round differently.
 *
 * State encoding: each key holds a plain string of the rule's three state numbers separated by
 * single spaces, each printed with `%.17g` so that fractional token counts survive the round trip
 * exactly (Lua's default number-to-string keeps only 14 digits). The meaning of the numbers is
 * that of `LimitState` in rules.ts. The key's TTL is the rule's `ttlMs`, rounded up to a whole
 * millisecond as PX requires. The time is Redis's (`TIME`, in whole milliseconds).
 */

/**
 * The script's command name on the client. The limiter batches its own calls, so its runs are
 * sent at once rather than through ioredis's auto-pipeline, which keeps one pipeline in flight
 * at a time: a run would wait for the previous one's reply, and under load the event loop would
 * idle on Redis round trips (list it in `autoPipeliningIgnoredCommands`).
 */
export const LIMITER_COMMAND = 'elyzorLimitConsume';

// ARGV[1] = the number of calls in this run. Then, per call: its number of checks and its cost,
// then five values per check: rule type, three rule parameters (see ruleArgs) and the check's
// own cost ('' for the call's). KEYS holds every call's keys, in order.
// Reply: now, then per call: failed index (0-based, -1 when all allowed) and five values per
// check: allowed (1/0), limit, remaining, resetAt, retryAfterMs. Everything is returned as
// `%.17g` strings because Redis truncates Lua numbers to integers in replies.
export const LIMITER_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function num(x)
  return string.format('%.17g', x)
end

local function sliding(has, s1, s2, s3, limit, windowMs, cost)
  local windowStart = now - math.fmod(now, windowMs)
  local current = 0
  local previous = 0
  if has then
    if s1 == windowStart then
      current = s2
      previous = s3
    elseif s1 == windowStart - windowMs then
      previous = s2
    end
  end
  local carried = math.ceil((previous * (windowMs - (now - windowStart))) / windowMs)
  local used = carried + current
  local function resetAt(counted)
    if counted > 0 then return windowStart + 2 * windowMs end
    if previous > 0 then return windowStart + windowMs end
    return now
  end
  if used + cost > limit then
    local retryAfterMs
    if cost > limit then
      retryAfterMs = windowStart + windowMs - now
    elseif current + cost > limit then
      retryAfterMs = windowStart + windowMs + math.ceil((windowMs * (current - (limit - cost))) / current) - now
    else
      retryAfterMs = windowStart + math.ceil((windowMs * (previous - (limit - current - cost))) / previous) - now
    end
    return false, limit, math.max(0, limit - used), resetAt(current), math.max(1, retryAfterMs),
      {windowStart, current, previous}, 2 * windowMs
  end
  return true, limit, limit - used - cost, resetAt(current + cost), 0,
    {windowStart, current + cost, previous}, 2 * windowMs
end

local function bucket(has, s1, s2, limit, windowMs, burst, cost)
  local perMs = limit / windowMs
  local tokens = burst
  if has then
    tokens = math.min(burst, s1 + math.max(0, now - s2) * perMs)
  end
  local fullIn = math.ceil((burst - tokens) / perMs)
  local ttlMs = math.ceil(burst / perMs) + 1000
  if tokens < cost then
    local retryAfterMs = math.max(1, math.ceil((cost - tokens) / perMs))
    if has and cost <= burst then
      local function refilled(at)
        return math.min(burst, s1 + math.max(0, at - s2) * perMs)
      end
      while refilled(now + retryAfterMs) < cost do retryAfterMs = retryAfterMs + 1 end
      while retryAfterMs > 1 and refilled(now + retryAfterMs - 1) >= cost do retryAfterMs = retryAfterMs - 1 end
    end
    return false, burst, math.floor(tokens), now + fullIn, retryAfterMs, {tokens, now, 0}, ttlMs
  end
  local left = tokens - cost
  return true, burst, math.floor(left), now + math.ceil((burst - left) / perMs), 0,
    {left, now, 0}, ttlMs
end

local function fixed(has, s1, s2, limit, windowStart, windowEnd, cost)
  local used = 0
  if has and s1 == windowStart then used = s2 end
  local ttlMs = math.max(1000, windowEnd - now)
  if used + cost > limit then
    return false, limit, math.max(0, limit - used), windowEnd, math.max(1, windowEnd - now),
      {windowStart, used, 0}, ttlMs
  end
  return true, limit, limit - used - cost, windowEnd, 0, {windowStart, used + cost, 0}, ttlMs
end

local function dispatch(kind, has, s1, s2, s3, p1, p2, p3, cost)
  if kind == 'sliding_window' then
    return sliding(has, s1, s2, s3, p1, p2, cost)
  elseif kind == 'token_bucket' then
    return bucket(has, s1, s2, p1, p2, p3, cost)
  elseif kind == 'fixed_window' then
    return fixed(has, s1, s2, p1, p2, p3, cost)
  end
  return nil
end

-- One call: its checks decided in order, then its writes, all or nothing. The next call of the
-- run reads what this one wrote, as a separate run would.
local reply = {num(now)}
local function consumeCall(firstKey, firstArg, count, callCost)
  local failedAt = #reply + 1
  table.insert(reply, '-1')
  local writes = {}
  local failed = -1
  for i = 1, count do
    local key = KEYS[firstKey + i - 1]
    local base = firstArg + (i - 1) * 5
    local kind = ARGV[base]
    local p1 = tonumber(ARGV[base + 1])
    local p2 = tonumber(ARGV[base + 2])
    local p3 = tonumber(ARGV[base + 3])
    local cost = callCost
    if ARGV[base + 4] ~= '' then cost = tonumber(ARGV[base + 4]) end
    local has, s1, s2, s3 = false, 0, 0, 0
    local raw = redis.call('GET', key)
    if raw then
      local a, b, c = string.match(raw, '^(%S+) (%S+) (%S+)$')
      s1, s2, s3 = tonumber(a), tonumber(b), tonumber(c)
      -- An unreadable value counts as no state, as an expired one would.
      has = s1 ~= nil and s2 ~= nil and s3 ~= nil
    end
    local allowed, limit, remaining, resetAt, retryAfterMs, nextState, ttlMs
    if cost > 0 then
      allowed, limit, remaining, resetAt, retryAfterMs, nextState, ttlMs = dispatch(kind, has, s1, s2, s3, p1, p2, p3, cost)
    else
      -- A probe (cost 0): decided as a request of cost 1, spending nothing (rules.ts applyRule).
      local _a, _l, _r, _ra, _rt
      _a, _l, _r, _ra, _rt, nextState, ttlMs = dispatch(kind, has, s1, s2, s3, p1, p2, p3, 0)
      allowed, limit, remaining, resetAt, retryAfterMs = dispatch(kind, has, s1, s2, s3, p1, p2, p3, 1)
      if allowed then remaining = remaining + 1 end
    end
    if not allowed and failed == -1 then failed = i - 1 end
    local flag = '0'
    if allowed then flag = '1' end
    table.insert(reply, flag)
    table.insert(reply, num(limit))
    table.insert(reply, num(remaining))
    table.insert(reply, num(resetAt))
    table.insert(reply, num(retryAfterMs))
    if cost > 0 then
      writes[i] = {num(nextState[1]) .. ' ' .. num(nextState[2]) .. ' ' .. num(nextState[3]),
        string.format('%.0f', math.ceil(ttlMs))}
    end
  end
  -- All or nothing: the states are written only when every check admitted the call. Writes go
  -- in check order, so a key named twice keeps the last check's state, as in MemoryLimiter.
  if failed == -1 then
    for i = 1, count do
      -- Probes (cost 0) leave their key alone.
      if writes[i] then redis.call('SET', KEYS[firstKey + i - 1], writes[i][1], 'PX', writes[i][2]) end
    end
  end
  reply[failedAt] = tostring(failed)
end

local calls = tonumber(ARGV[1])
-- Every rule type is checked before anything is written: a bad run changes nothing.
local nextArg = 2
for _ = 1, calls do
  local count = tonumber(ARGV[nextArg])
  for i = 1, count do
    local kind = ARGV[nextArg + 2 + (i - 1) * 5]
    if kind ~= 'sliding_window' and kind ~= 'token_bucket' and kind ~= 'fixed_window' then
      return redis.error_reply('unknown limit rule type: ' .. tostring(kind))
    end
  end
  nextArg = nextArg + 2 + 5 * count
end

local nextKey = 1
nextArg = 2
for _ = 1, calls do
  local count = tonumber(ARGV[nextArg])
  consumeCall(nextKey, nextArg + 2, count, tonumber(ARGV[nextArg + 1]))
  nextKey = nextKey + count
  nextArg = nextArg + 2 + 5 * count
end
return reply
`;

/** A `consume` result with the Redis time it was decided at; tests compare it to `rules.ts`. */
export interface TimedLimitResult {
  result: LimitResult;
  now: number;
}

/** One `consume` call, as it waits for its script run. */
export interface LimiterCall {
  checks: readonly LimitCheck[];
  cost: number;
}

/** KEYS and ARGV of one script run deciding `calls` in order; every key gets `prefix`. */
export function encodeLimiterRun(calls: readonly LimiterCall[], prefix: string): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [String(calls.length)];
  for (const { checks, cost } of calls) {
    args.push(String(checks.length), String(cost));
    for (const check of checks) {
      keys.push(prefix + check.key);
      args.push(...ruleArgs(check.rule), check.cost === undefined ? '' : String(check.cost));
    }
  }
  return { keys, args };
}

/** Type and three parameters; numbers as JavaScript prints them, which Lua parses back exactly. */
function ruleArgs(rule: LimitRule): [string, string, string, string] {
  switch (rule.type) {
    case 'sliding_window':
      return [rule.type, String(rule.limit), String(rule.windowMs), '0'];
    case 'token_bucket':
      return [rule.type, String(rule.limit), String(rule.windowMs), String(rule.burst)];
    case 'fixed_window':
      return [rule.type, String(rule.limit), String(rule.windowStart), String(rule.windowEnd)];
  }
}

/** The script's reply, split back into one result per call of the run. */
export function decodeLimiterReply(reply: unknown, calls: readonly LimiterCall[]): TimedLimitResult[] {
  const expected = calls.reduce((sum, call) => sum + 1 + 5 * call.checks.length, 1);
  if (!Array.isArray(reply) || reply.length !== expected) throw new Error('unexpected reply from the limiter script');
  const values = reply.map((value: unknown) => {
    const n = typeof value === 'string' ? Number(value) : Number.NaN;
    if (Number.isNaN(n)) throw new Error('unexpected value from the limiter script');
    return n;
  });
  const at = (i: number): number => values[i] ?? Number.NaN;
  const now = at(0);
  let next = 1;
  return calls.map(({ checks }) => {
    const failed = at(next);
    const decisions: LimitDecision[] = [];
    for (let i = 0; i < checks.length; i++) {
      const base = next + 1 + 5 * i;
      decisions.push({ allowed: at(base) === 1, limit: at(base + 1), remaining: at(base + 2), resetAt: at(base + 3), retryAfterMs: at(base + 4) });
    }
    next += 1 + 5 * checks.length;
    return { result: { allowed: failed === -1, decisions, failed }, now };
  });
}
