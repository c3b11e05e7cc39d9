--[[
  Commit log entries and their projection changes in one atomic step.

  Input:
    KEYS[1] seen (hash)    KEYS[2] rv (hash)      KEYS[3] log (stream)
    KEYS[4] seq (string)   KEYS[5] outbox (stream)
    KEYS[6..] the keys the operations below name by index

    ARGV, read in order:
      nEntries, then per entry: dedupe field ('' = none), entry JSON
      nChecks,  then per check: object key, expected rv ('0' = never changed)
      nRv,      then the object keys whose rv becomes the last new seq
      nOps,     then per op: opcode, key index (into KEYS), arg1, arg2
                opcodes: hset key field value | hdel key field | sadd key member |
                         srem key member | del key | hincr key field n |
                         hdecr key field n (and drop the field at 0 or below) |
                         saddseq key entryIndex (adds that entry's seq, 0-based)
      nOutbox,  then the command JSON of each

  Output:
    {'ok', seq1, seq2, …}        the new entries' sequence numbers
    {'dup', i, j, …}             entries (0-based) already accepted: nothing written
    {'conflict', objectKey}      an object changed since it was read: nothing written
]]
local seen, rv, log, seqKey, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local cursor = 0
local function take()
  cursor = cursor + 1
  return ARGV[cursor]
end

local nEntries = tonumber(take())
local fields, bodies = {}, {}
for e = 1, nEntries do
  fields[e] = take()
  bodies[e] = take()
end
local dups = {}
for e = 1, nEntries do
  if fields[e] ~= '' and redis.call('HEXISTS', seen, fields[e]) == 1 then
    dups[#dups + 1] = e - 1
  end
end
if #dups > 0 then
  table.insert(dups, 1, 'dup')
  return dups
end

local nChecks = tonumber(take())
for _ = 1, nChecks do
  local key, expected = take(), take()
  local current = redis.call('HGET', rv, key) or '0'
  if current ~= expected then
    return {'conflict', key}
  end
end

local seqs = {}
for e = 1, nEntries do
  local seq = redis.call('INCR', seqKey)
  seqs[e] = seq
  redis.call('XADD', log, seq .. '-0', 'e', bodies[e])
  if fields[e] ~= '' then
    redis.call('HSET', seen, fields[e], seq)
  end
end
-- A commit without entries (a pass that decided nothing) still applies its ops.
local last = nEntries > 0 and tostring(seqs[nEntries]) or redis.call('GET', seqKey) or '0'

local nRv = tonumber(take())
for _ = 1, nRv do
  redis.call('HSET', rv, take(), last)
end

local nOps = tonumber(take())
for _ = 1, nOps do
  local op, key, a, b = take(), KEYS[tonumber(take())], take(), take()
  if op == 'hset' then
    redis.call('HSET', key, a, b)
  elseif op == 'hdel' then
    redis.call('HDEL', key, a)
  elseif op == 'sadd' then
    redis.call('SADD', key, a)
  elseif op == 'srem' then
    redis.call('SREM', key, a)
  elseif op == 'del' then
    redis.call('DEL', key)
  elseif op == 'hincr' then
    redis.call('HINCRBY', key, a, b)
  elseif op == 'hdecr' then
    if redis.call('HINCRBY', key, a, -tonumber(b)) <= 0 then
      redis.call('HDEL', key, a)
    end
  elseif op == 'saddseq' then
    redis.call('SADD', key, seqs[tonumber(a) + 1])
  else
    return redis.error_reply('commit: unknown op ' .. tostring(op))
  end
end

local nOutbox = tonumber(take())
for _ = 1, nOutbox do
  redis.call('XADD', outbox, '*', 'c', take())
end

table.insert(seqs, 1, 'ok')
return seqs
