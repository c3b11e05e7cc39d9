--[[
  Commit log entries and their projection changes in one atomic step.

  Every precondition is checked before the first write, so a commit is
  written whole or not at all: ARGV is decoded in full, the type of every key
  to be written is checked, and only then are the duplicate and rv checks
  made and the writes done. (Redis does not roll a script back: a command
  failing half-way would leave the writes before it.)

  Input:
    KEYS[1] seen (hash)    KEYS[2] rv (hash)      KEYS[3] log (stream)
    KEYS[4] seq (string)
    KEYS[5 .. #KEYS - nBlocks]    the keys the operations below name by index
                                  (an index may name KEYS[1..4] too)
    KEYS[#KEYS - nBlocks + 1 ..]  the log index blocks firstBlock, firstBlock + 1, …
                                  (string; block n holds the lines of seqs
                                  n×1000 … n×1000+999: log-index.ts, Keys.indexBlock)

    ARGV, read in order:
      firstBlock, nBlocks  the index blocks passed last in KEYS; they must
                cover the blocks of the new entries' seqs (see 'moved')
      nEntries, then per entry: dedupe field ('' = none), entry JSON, header
                ('' = none): the line `<seq> <header>` (`<seq>` without one)
                is appended to the entry's index block
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

  Checks, in this order, before any write:
    1. ARGV decodes: every count a count, every opcode known, every key index
       within the op keys, every argument count what the opcode takes, every
       increment and entry index a number in range, nothing left over.
    2. The seq is an integer (or absent), and the log holds no entry after it.
    3. The index blocks of the new seqs are among those passed.
    4. Every key written has the type its writes need, or does not exist
       (seen, rv: hash; log: stream; seq, index blocks: string; hset, hdel,
       hincr, hdecr, hsetseq: hash; sadd, srem: set; xaddseq: stream; del:
       any), following the commit's own writes (after a del, a key is free);
       and every field hincr/hdecr count holds an integer (or nothing).
    5. No entry's dedupe field is in seen.
    6. Every checked object still has the expected rv.

  Output:
    {'ok', seq1, seq2, …}     the new entries' sequence numbers
    {'dup', i, j, …}          entries (0-based) already accepted: nothing written
    {'conflict', objectKey}   an object changed since it was read: nothing written
    {'moved', seq}            a new entry's index block was not passed (the
                              caller's last seq was stale): nothing written;
                              `seq` is the last seq now, to pass the blocks after
    {'invalid', reason}       ARGV is malformed, or a key or field holds what its
                              write cannot take; `reason` names the op and key:
                              nothing written, and retrying does not help
]]
local seen, rv, log, seqKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local BlockSize = 1000

local function invalid(reason)
  return {'invalid', reason}
end

-- 1. Decode -------------------------------------------------------------------

local cursor = 0
local function take()
  cursor = cursor + 1
  return ARGV[cursor]
end
local function left()
  return #ARGV - cursor
end
-- An integer as Redis reads one (no sign but '-', no leading zero), else nil.
local function integer(value)
  if type(value) == 'string' and (value == '0' or string.match(value, '^%-?[1-9]%d*$')) then
    return tonumber(value)
  end
end
local function count(value)
  local n = integer(value)
  if n ~= nil and n >= 0 then
    return n
  end
end

local firstBlock, nBlocks = count(take()), count(take())
if firstBlock == nil or nBlocks == nil or nBlocks > #KEYS - 4 then
  return invalid('ARGV[1..2] (first index block, block count) must be counts, the blocks among KEYS[5..' .. #KEYS .. ']')
end
local nOpKeys = #KEYS - nBlocks

local nEntries = count(take())
if nEntries == nil or nEntries * 3 > left() then
  return invalid('ARGV[3] (entry count) must be a count of the entries that follow')
end
local fields, bodies, headers = {}, {}, {}
local anyField = false
for e = 1, nEntries do
  fields[e], bodies[e], headers[e] = take(), take(), take()
  anyField = anyField or fields[e] ~= ''
end

local nChecks = count(take())
if nChecks == nil or nChecks * 2 > left() then
  return invalid('the check count (ARGV[' .. cursor .. ']) must be a count of the checks that follow')
end
local checkKeys, checkRvs = {}, {}
for c = 1, nChecks do
  checkKeys[c], checkRvs[c] = take(), take()
end

local nRv = count(take())
if nRv == nil or nRv > left() then
  return invalid('the rv count (ARGV[' .. cursor .. ']) must be a count of the object keys that follow')
end
local rvKeys = {}
for r = 1, nRv do
  rvKeys[r] = take()
end

-- Argument counts: a number, or 'some' (1 or more), or 'pairs' (a positive even number).
local Arity = {hset = 'pairs', hdel = 1, sadd = 'some', srem = 1, del = 0, hincr = 2, hdecr = 2, hsetseq = 2, xaddseq = 1}
-- The type each op needs its key to have (or none); del takes any.
local Needs = {hset = 'hash', hdel = 'hash', hincr = 'hash', hdecr = 'hash', hsetseq = 'hash', sadd = 'set', srem = 'set', xaddseq = 'stream'}
-- Ops that leave their key existing (hdel and srem do not create one).
local Creates = {hset = true, sadd = true, hincr = true, hdecr = true, hsetseq = true, xaddseq = true}

local nOps = count(take())
if nOps == nil or nOps * 3 > left() then
  return invalid('the op count (ARGV[' .. cursor .. ']) must be a count of the ops that follow')
end
local opCodes, opKeys, opArgs = {}, {}, {}
local function opName(o, code)
  return 'op ' .. o .. ' (' .. tostring(code) .. ')'
end
-- Keys with counted fields (hincr, hdecr): the earlier writes to them are followed to check the counts.
local counted = {}
for o = 1, nOps do
  if left() < 3 then
    return invalid('ARGV ends within op ' .. o .. ' of ' .. nOps)
  end
  local code, index, n = take(), integer(take()), count(take())
  local arity = Arity[code]
  if arity == nil then
    return invalid('op ' .. o .. ': unknown opcode "' .. code .. '"')
  end
  if index == nil or index < 1 or index > nOpKeys then
    return invalid(opName(o, code) .. ': key index ' .. tostring(ARGV[cursor - 1]) .. ' is not one of KEYS[1..' .. nOpKeys .. ']')
  end
  local key = KEYS[index]
  if n == nil or n > left() then
    return invalid(opName(o, code) .. ' on ' .. key .. ': argument count ' .. tostring(ARGV[cursor]) .. ' is not a count of the arguments that follow')
  end
  if (arity == 'pairs' and (n == 0 or n % 2 == 1)) or (arity == 'some' and n == 0) or (type(arity) == 'number' and n ~= arity) then
    return invalid(opName(o, code) .. ' on ' .. key .. ': takes ' .. (arity == 'pairs' and 'field value pairs' or arity == 'some' and '1 or more arguments' or arity .. ' arguments') .. ', not ' .. n)
  end
  local args = {}
  for a = 1, n do
    args[a] = take()
  end
  if (code == 'hincr' or code == 'hdecr') and integer(args[2]) == nil then
    return invalid(opName(o, code) .. ' on ' .. key .. ': the amount ' .. args[2] .. ' is not an integer')
  end
  if code == 'hsetseq' or code == 'xaddseq' then
    local entry = count(args[1])
    if entry == nil or entry >= nEntries then
      return invalid(opName(o, code) .. ' on ' .. key .. ': entry index ' .. args[1] .. ' is not one of this commit\'s ' .. nEntries .. ' entries')
    end
  end
  if code == 'hincr' or code == 'hdecr' then
    counted[key] = true
  end
  opCodes[o], opKeys[o], opArgs[o] = code, key, args
end
if left() ~= 0 then
  return invalid('ARGV has ' .. left() .. ' values after the last op')
end

-- 2. The seq, and the log after it ----------------------------------------------

local types = {}
-- The key's type as the commit's writes so far leave it.
local function typeOf(key)
  local t = types[key]
  if t == nil then
    t = redis.call('TYPE', key).ok
    types[key] = t
  end
  return t
end
-- Nil if `key` can take a write needing `needed` (and notes its type after the write), else why not.
local function admit(key, needed, what, creates)
  local t = typeOf(key)
  if t ~= needed and t ~= 'none' then
    return what .. ' needs ' .. key .. ' to be a ' .. needed .. ' or absent, but it is a ' .. t
  end
  if creates then
    types[key] = needed
  end
end

local problem = admit(seqKey, 'string', 'the seq', nEntries > 0)
if problem then
  return invalid(problem)
end
local current = redis.call('GET', seqKey)
local last = current and integer(current)
if current and (last == nil or last < 0) then
  return invalid('the seq ' .. seqKey .. ' holds ' .. current .. ', not a count')
end
last = last or 0
local seqs = {}
for e = 1, nEntries do
  seqs[e] = last + e
end

if nEntries > 0 then
  problem = admit(log, 'stream', 'the log', true)
  if problem then
    return invalid(problem)
  end
  local after = redis.call('XRANGE', log, (last + 1) .. '-0', '+', 'COUNT', 1)
  if #after > 0 then
    return invalid('the log ' .. log .. ' holds entry ' .. after[1][1] .. ', after the seq ' .. last)
  end
end

-- 3. The index blocks of the new seqs -------------------------------------------

local blocks = {}
for e = 1, nEntries do
  local slot = math.floor(seqs[e] / BlockSize) - firstBlock
  if slot < 0 or slot >= nBlocks then
    return {'moved', last}
  end
  blocks[e] = KEYS[nOpKeys + 1 + slot]
end

-- 4. Types, in the order of the writes ------------------------------------------

for e = 1, nEntries do
  problem = admit(blocks[e], 'string', 'the index line of seq ' .. seqs[e], true)
  if problem then
    return invalid(problem)
  end
end
if anyField then
  problem = admit(seen, 'hash', 'the dedupe check', true)
  if problem then
    return invalid(problem)
  end
end
if nChecks > 0 or nRv > 0 then
  problem = admit(rv, 'hash', 'the rv checks and updates', nRv > 0)
  if problem then
    return invalid(problem)
  end
end
-- Counted fields as the commit's earlier writes leave them: key → field → value (false: none).
local written, cleared = {}, {}
local function countOf(key, field)
  local value = written[key] and written[key][field]
  if value == nil and not cleared[key] then
    value = redis.call('HGET', key, field)
  end
  return value
end
local function note(key, field, value)
  if counted[key] then
    written[key] = written[key] or {}
    written[key][field] = value
  end
end
for o = 1, nOps do
  local code, key, args = opCodes[o], opKeys[o], opArgs[o]
  if code == 'del' then
    types[key] = 'none'
    written[key], cleared[key] = nil, true
  else
    problem = admit(key, Needs[code], opName(o, code), Creates[code])
    if problem then
      return invalid(problem)
    end
    if code == 'hincr' or code == 'hdecr' then
      local value = countOf(key, args[1])
      local n = value and integer(value)
      if value and n == nil then
        return invalid(opName(o, code) .. ' on ' .. key .. ': field ' .. args[1] .. ' holds ' .. value .. ', not an integer')
      end
      n = (n or 0) + (code == 'hincr' and 1 or -1) * tonumber(args[2])
      if code == 'hdecr' and n <= 0 then
        note(key, args[1], false)
      else
        note(key, args[1], tostring(n))
      end
    elseif code == 'hset' then
      for a = 1, #args, 2 do
        note(key, args[a], args[a + 1])
      end
    elseif code == 'hdel' then
      note(key, args[1], false)
    elseif code == 'hsetseq' then
      note(key, tostring(seqs[tonumber(args[1]) + 1]), args[2])
    end
  end
end

-- 5. Duplicates, 6. rv checks ---------------------------------------------------

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

for c = 1, nChecks do
  if (redis.call('HGET', rv, checkKeys[c]) or '0') ~= checkRvs[c] then
    return {'conflict', checkKeys[c]}
  end
end

-- Writes ------------------------------------------------------------------------

if nEntries > 0 then
  redis.call('SET', seqKey, seqs[nEntries])
end
for e = 1, nEntries do
  local seq, block = seqs[e], blocks[e]
  redis.call('XADD', log, seq .. '-0', 'e', bodies[e])
  redis.call('APPEND', block, headers[e] ~= '' and (seq .. ' ' .. headers[e] .. '\n') or (seq .. '\n'))
  if seq % BlockSize == BlockSize - 1 then
    -- The block is complete: written again, it drops the room APPEND kept for growth.
    redis.call('SET', block, redis.call('GET', block))
  end
  if fields[e] ~= '' then
    redis.call('HSET', seen, fields[e], seq)
  end
end
-- A commit without entries (a pass that decided nothing) still applies its ops.
local lastSeq = tostring(nEntries > 0 and seqs[nEntries] or last)

-- Variadic commands go in chunks: Lua's unpack() has a limit of a few thousand values.
local function chunked(command, key, args)
  for from = 1, #args, 1000 do
    redis.call(command, key, unpack(args, from, math.min(from + 999, #args)))
  end
end

local rvArgs = {}
for r = 1, nRv do
  rvArgs[#rvArgs + 1] = rvKeys[r]
  rvArgs[#rvArgs + 1] = lastSeq
end
chunked('HSET', rv, rvArgs)

for o = 1, nOps do
  local code, key, args = opCodes[o], opKeys[o], opArgs[o]
  if code == 'hset' then
    chunked('HSET', key, args)
  elseif code == 'sadd' then
    chunked('SADD', key, args)
  elseif code == 'hdel' then
    redis.call('HDEL', key, args[1])
  elseif code == 'srem' then
    redis.call('SREM', key, args[1])
  elseif code == 'del' then
    redis.call('DEL', key)
  elseif code == 'hincr' then
    redis.call('HINCRBY', key, args[1], args[2])
  elseif code == 'hdecr' then
    if redis.call('HINCRBY', key, args[1], -tonumber(args[2])) <= 0 then
      redis.call('HDEL', key, args[1])
    end
  elseif code == 'hsetseq' then
    redis.call('HSET', key, seqs[tonumber(args[1]) + 1], args[2])
  elseif code == 'xaddseq' then
    redis.call('XADD', key, '*', 'seq', seqs[tonumber(args[1]) + 1])
  end
end

table.insert(seqs, 1, 'ok')
return seqs
