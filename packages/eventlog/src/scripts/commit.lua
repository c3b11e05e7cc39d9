--[[
  Commit log entries and their projection changes in one atomic step.

  Input:
    KEYS[1] seen (hash)    KEYS[2] rv (hash)      KEYS[3] log (stream)
    KEYS[4] seq (string)
    KEYS[5..] the keys the operations below name by index

    ARGV, read in order:
      nEntries, then per entry: dedupe field ('' = none), entry JSON, header
                ('' = none): the line `<seq> <header>` is appended to the
                log index block `{p}:index:<floor(seq / 1000)>` (log-index.ts)
      nChecks,  then per check: object key, expected rv ('0' = never changed)
      nRv,      then the object keys whose rv becomes the last new seq
      nOps,     then per op: opcode, key index (into KEYS), argument count, arguments
                opcodes: hset key field value [field value …] | hdel key field |
                         sadd key member [member …] | srem key member | del key |
                         hincr key field n | hdecr key field n (and drop the field
                         at 0 or below) | hsetseq key entryIndex value (sets field
                         <that entry's seq> to value; entryIndex 0-based) |
                         xaddseq key entryIndex (appends
                         `seq <that entry's seq>` to the stream: the outbox notes
                         a pass whose commands are still to be published)

  Output:
    {'ok', seq1, seq2, …}        the new entries' sequence numbers
    {'dup', i, j, …}             entries (0-based) already accepted: nothing written
    {'conflict', objectKey}      an object changed since it was read: nothing written
]]
local seen, rv, log, seqKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- `{p}:log` → `{p}:index:`: the index blocks share the log's hash tag, so its slot.
local indexPrefix = string.sub(log, 1, #log - 3) .. 'index:'
local cursor = 0
local function take()
  cursor = cursor + 1
  return ARGV[cursor]
end

local nEntries = tonumber(take())
local fields, bodies, headers = {}, {}, {}
for e = 1, nEntries do
  fields[e] = take()
  bodies[e] = take()
  headers[e] = take()
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
  local block = indexPrefix .. math.floor(seq / 1000)
  redis.call('APPEND', block, headers[e] ~= '' and (seq .. ' ' .. headers[e] .. '\n') or (seq .. '\n'))
  if seq % 1000 == 999 then
    -- The block is complete: written again, it drops the room APPEND kept for growth.
    redis.call('SET', block, redis.call('GET', block))
  end
  if fields[e] ~= '' then
    redis.call('HSET', seen, fields[e], seq)
  end
end
-- A commit without entries (a pass that decided nothing) still applies its ops.
local last = nEntries > 0 and tostring(seqs[nEntries]) or redis.call('GET', seqKey) or '0'

-- Variadic commands go in chunks: Lua's unpack() has a limit of a few thousand values.
local function chunked(command, key, args)
  for from = 1, #args, 1000 do
    redis.call(command, key, unpack(args, from, math.min(from + 999, #args)))
  end
end

local nRv = tonumber(take())
local rvArgs = {}
for _ = 1, nRv do
  rvArgs[#rvArgs + 1] = take()
  rvArgs[#rvArgs + 1] = last
end
chunked('HSET', rv, rvArgs)

local nOps = tonumber(take())
for _ = 1, nOps do
  local op, key, n = take(), KEYS[tonumber(take())], tonumber(take())
  local args = {}
  for a = 1, n do
    args[a] = take()
  end
  if op == 'hset' then
    chunked('HSET', key, args)
  elseif op == 'sadd' then
    chunked('SADD', key, args)
  elseif op == 'hdel' then
    redis.call('HDEL', key, args[1])
  elseif op == 'srem' then
    redis.call('SREM', key, args[1])
  elseif op == 'del' then
    redis.call('DEL', key)
  elseif op == 'hincr' then
    redis.call('HINCRBY', key, args[1], args[2])
  elseif op == 'hdecr' then
    if redis.call('HINCRBY', key, args[1], -tonumber(args[2])) <= 0 then
      redis.call('HDEL', key, args[1])
    end
  elseif op == 'hsetseq' then
    redis.call('HSET', key, seqs[tonumber(args[1]) + 1], args[2])
  elseif op == 'xaddseq' then
    redis.call('XADD', key, '*', 'seq', seqs[tonumber(args[1]) + 1])
  else
    return redis.error_reply('commit: unknown op ' .. tostring(op))
  end
end

table.insert(seqs, 1, 'ok')
return seqs
