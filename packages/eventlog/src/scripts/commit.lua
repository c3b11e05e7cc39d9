--[[
  Commit log entries and their projection changes in one atomic step.

  Every precondition is checked before anything is written, so a commit is
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
       increment an integer and every entry index one of the entries, nothing
       left over, no two entries with one dedupe field. (Decoded as
       positions into ARGV: nothing is copied.)
    2. The seq is a count (or absent).
    3. The index blocks of the new seqs are among those passed, else 'moved'.
    4. Every key written has the type its writes need, or does not exist:
       index blocks: string; hset, hdel, hincr, hdecr, hsetseq:
       hash; sadd, srem: set; xaddseq: stream; del: any. Followed through the
       commit's own writes (after a del a key is free; after an sadd, a set);
       each field hincr/hdecr counts holds an integer (or nothing). The seq,
       seen and rv (and a key's first hincr/hdecr) are checked by the reads
       below that need them anyway: a read of the wrong type fails, writing
       nothing, and the script answers why.
    5. No entry's dedupe field is in seen (seen: a hash), else 'dup'.
    6. Every checked object still has the expected rv (rv: a hash), else 'conflict'.
  The first write, the first entry's XADD, checks the log: a stream (or
  absent) holding no entry at or after the new seq (XADD refuses an id not
  greater than the stream's last, which no cheap read tells). Refused, it has
  written nothing: 'invalid'.

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
    an error reply            only what no check foresees (the first write refused
                              for want of memory): nothing written
]]
local seen, rv, log, seqKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local BlockSize = 1000

local function invalid(reason)
  return {'invalid', reason}
end

-- 1. Decode: positions into ARGV, counts checked ------------------------------

-- A count as sent (a non-negative integer), else nil.
local function count(value)
  local n = tonumber(value)
  if n ~= nil and n >= 0 and n % 1 == 0 then
    return n
  end
end
-- An integer as Redis reads one (no sign but '-', no leading zero), else nil.
local function integer(value)
  if type(value) == 'string' and (value == '0' or string.match(value, '^%-?[1-9]%d*$')) then
    return tonumber(value)
  end
end

local firstBlock, nBlocks = count(ARGV[1]), count(ARGV[2])
if firstBlock == nil or nBlocks == nil or nBlocks > #KEYS - 4 then
  return invalid('ARGV[1..2] (first index block, block count) must be counts, the blocks among KEYS[5..' .. #KEYS .. ']')
end
local nOpKeys = #KEYS - nBlocks

-- Entry e: dedupe field ARGV[entriesAt + 3e - 2], JSON + 1, header + 2.
local nEntries = count(ARGV[3])
local entriesAt = 4
if nEntries == nil or entriesAt + nEntries * 3 > #ARGV then
  return invalid('ARGV[3] (entry count) must be a count of the entries that follow')
end

-- Check c: object key ARGV[checksAt + 2c - 2], expected rv + 1.
local cursor = entriesAt + nEntries * 3
local nChecks = count(ARGV[cursor])
local checksAt = cursor + 1
if nChecks == nil or checksAt + nChecks * 2 > #ARGV then
  return invalid('the check count (ARGV[' .. cursor .. ']) must be a count of the checks that follow')
end

-- rv update r: object key ARGV[rvAt + r - 1].
cursor = checksAt + nChecks * 2
local nRv = count(ARGV[cursor])
local rvAt = cursor + 1
if nRv == nil or rvAt + nRv > #ARGV then
  return invalid('the rv count (ARGV[' .. cursor .. ']) must be a count of the object keys that follow')
end

-- What an op takes: its argument count (a number; -1: 1 or more; -2: field value pairs),
-- the type its key needs (nil: any), whether it leaves the key existing.
local function spec(code)
  if code == 'hset' then return -2, 'hash', true
  elseif code == 'hdel' then return 1, 'hash', false
  elseif code == 'sadd' then return -1, 'set', true
  elseif code == 'srem' then return 1, 'set', false
  elseif code == 'del' then return 0, nil, false
  elseif code == 'hincr' or code == 'hdecr' then return 2, 'hash', true
  elseif code == 'hsetseq' then return 2, 'hash', true
  elseif code == 'xaddseq' then return 1, 'stream', true
  end
end
local function opName(o, code)
  return 'op ' .. o .. ' (' .. tostring(code) .. ')'
end

-- Op o: opcode opCodes[o] on key opKeys[o], its arguments ARGV[opAt[o] .. opAt[o] + opN[o] - 1].
cursor = rvAt + nRv
local nOps = count(ARGV[cursor])
if nOps == nil or cursor + nOps * 3 > #ARGV then
  return invalid('the op count (ARGV[' .. cursor .. ']) must be a count of the ops that follow')
end
local opCodes, opKeys, opAt, opN = {}, {}, {}, {}
-- Keys with counted fields (hincr, hdecr) → those fields: the commit's writes to them are followed to check the counts.
local counted = {}
for o = 1, nOps do
  if cursor + 3 > #ARGV then
    return invalid('ARGV ends within op ' .. o .. ' of ' .. nOps)
  end
  local code, index, n = ARGV[cursor + 1], count(ARGV[cursor + 2]), count(ARGV[cursor + 3])
  local arity = spec(code)
  if arity == nil then
    local on = index and KEYS[index] and (' on ' .. KEYS[index]) or ''
    return invalid('op ' .. o .. ': unknown opcode "' .. code .. '"' .. on)
  end
  if index == nil or index < 1 or index > nOpKeys then
    return invalid(opName(o, code) .. ': key index ' .. ARGV[cursor + 2] .. ' is not one of KEYS[1..' .. nOpKeys .. ']')
  end
  local key = KEYS[index]
  if n == nil or cursor + 3 + n > #ARGV then
    return invalid(opName(o, code) .. ' on ' .. key .. ': argument count ' .. ARGV[cursor + 3] .. ' is not a count of the arguments that follow')
  end
  if (arity == -2 and (n == 0 or n % 2 == 1)) or (arity == -1 and n == 0) or (arity >= 0 and n ~= arity) then
    return invalid(opName(o, code) .. ' on ' .. key .. ': takes ' .. (arity == -2 and 'field value pairs' or arity == -1 and '1 or more arguments' or arity .. ' arguments') .. ', not ' .. n)
  end
  local at = cursor + 4
  if (code == 'hincr' or code == 'hdecr') and integer(ARGV[at + 1]) == nil then
    return invalid(opName(o, code) .. ' on ' .. key .. ': the amount ' .. ARGV[at + 1] .. ' is not an integer')
  end
  if code == 'hsetseq' or code == 'xaddseq' then
    local entry = count(ARGV[at])
    if entry == nil or entry >= nEntries then
      return invalid(opName(o, code) .. ' on ' .. key .. ': entry index ' .. ARGV[at] .. ' is not one of this commit\'s ' .. nEntries .. ' entries')
    end
  end
  if code == 'hincr' or code == 'hdecr' then
    counted[key] = counted[key] or {}
    table.insert(counted[key], ARGV[at])
  end
  opCodes[o], opKeys[o], opAt[o], opN[o] = code, key, at, n
  cursor = at + n - 1
end
if cursor ~= #ARGV then
  return invalid('ARGV has ' .. (#ARGV - cursor) .. ' values after the last op')
end
-- One (source, id) is one log entry: two entries of one commit with one dedupe field would
-- both pass the seen check below (it reads seen before any write) and both be logged.
local inCommit = {}
for e = 1, nEntries do
  local field = ARGV[entriesAt + 3 * e - 3]
  if field ~= '' then
    if inCommit[field] then
      return invalid('entries ' .. (inCommit[field] - 1) .. ' and ' .. (e - 1) .. ' have one dedupe field: an event is logged once')
    end
    inCommit[field] = e
  end
end

-- 2. The seq --------------------------------------------------------------------

-- A failed read writes nothing: a read of the wrong type answers why.
local function wrongType(key, needed, what)
  return invalid(what .. ' needs ' .. key .. ' to be a ' .. needed .. ' or absent, but it is a ' .. redis.call('TYPE', key).ok)
end

local current = redis.pcall('GET', seqKey)
if type(current) == 'table' and current.err then
  return wrongType(seqKey, 'string', 'the seq')
end
local last = current and integer(current)
if current and (last == nil or last < 0) then
  return invalid('the seq ' .. seqKey .. ' holds ' .. current .. ', not a count')
end
last = last or 0
local seqs = {}
for e = 1, nEntries do
  seqs[e] = last + e
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

local types = {}
-- Nil if `key` can take a write needing `needed` (and notes its type after the write), else why not.
local function admit(key, needed, creates)
  local t = types[key]
  if t == nil then
    t = redis.call('TYPE', key).ok
    types[key] = t
  end
  if t ~= needed and t ~= 'none' then
    return ' needs ' .. key .. ' to be a ' .. needed .. ' or absent, but it is a ' .. t
  end
  if creates then
    types[key] = needed
  end
end

local problem
if nEntries > 0 then
  -- The log's type is checked by the first write (see there).
  types[seqKey], types[log] = 'string', 'stream'
  for e = 1, nEntries do
    problem = admit(blocks[e], 'string', true)
    if problem then
      return invalid('the index line of seq ' .. seqs[e] .. problem)
    end
  end
end
-- seen and rv: checked by the reads of steps 5 and 6 where there are any.
if nRv > 0 and nChecks == 0 then
  problem = admit(rv, 'hash', true)
  if problem then
    return invalid('the rv updates' .. problem)
  end
end
-- Counted fields as the commit's earlier writes leave them: key → field → value (false: none).
-- initial: key → field → value before the commit (false: none), read once for all the fields counted on the key.
local written, cleared, initial = {}, {}, {}
local function note(key, field, value)
  if counted[key] then
    written[key] = written[key] or {}
    written[key][field] = value
  end
end
for o = 1, nOps do
  local code, key, at = opCodes[o], opKeys[o], opAt[o]
  if code == 'del' then
    types[key] = 'none'
    written[key], cleared[key] = {}, true
  elseif code == 'hincr' or code == 'hdecr' then
    local field = ARGV[at]
    if initial[key] == nil and not cleared[key] then
      -- One read of every field counted on the key, which checks its type too when that is
      -- not known yet: a hash or none (and a hash after the op).
      local fieldsOf, values = counted[key], {}
      local read = types[key] == nil and redis.pcall or redis.call
      problem = types[key] ~= nil and admit(key, 'hash', true)
      if problem then
        return invalid(opName(o, code) .. problem)
      end
      for from = 1, #fieldsOf, 1000 do
        local chunk = read('HMGET', key, unpack(fieldsOf, from, math.min(from + 999, #fieldsOf)))
        if chunk.err then
          return wrongType(key, 'hash', opName(o, code))
        end
        for i, value in ipairs(chunk) do
          values[fieldsOf[from + i - 1]] = value
        end
      end
      initial[key], types[key] = values, 'hash'
    else
      problem = admit(key, 'hash', true)
      if problem then
        return invalid(opName(o, code) .. problem)
      end
    end
    local value = written[key] and written[key][field]
    if value == nil and not cleared[key] then
      value = initial[key][field]
    end
    local n = value and integer(value)
    if value and n == nil then
      return invalid(opName(o, code) .. ' on ' .. key .. ': field ' .. field .. ' holds ' .. value .. ', not an integer')
    end
    n = (n or 0) + (code == 'hincr' and 1 or -1) * tonumber(ARGV[at + 1])
    if code == 'hdecr' and n <= 0 then
      note(key, field, false)
    else
      note(key, field, tostring(n))
    end
  else
    local _, needed, creates = spec(code)
    problem = admit(key, needed, creates)
    if problem then
      return invalid(opName(o, code) .. problem)
    end
    if code == 'hset' then
      if counted[key] then
        for a = at, at + opN[o] - 1, 2 do
          note(key, ARGV[a], ARGV[a + 1])
        end
      end
    elseif code == 'hdel' then
      note(key, ARGV[at], false)
    elseif code == 'hsetseq' and counted[key] then
      note(key, tostring(seqs[tonumber(ARGV[at]) + 1]), ARGV[at + 1])
    end
  end
end

-- 5. Duplicates (and seen's type) -----------------------------------------------

local dups = {}
for e = 1, nEntries do
  local field = ARGV[entriesAt + 3 * e - 3]
  if field ~= '' then
    local known = redis.pcall('HEXISTS', seen, field)
    if type(known) == 'table' and known.err then
      return wrongType(seen, 'hash', 'the dedupe check')
    end
    if known == 1 then
      dups[#dups + 1] = e - 1
    end
  end
end
if #dups > 0 then
  table.insert(dups, 1, 'dup')
  return dups
end

-- 6. rv checks (and rv's type) --------------------------------------------------

for c = 1, nChecks do
  local key = ARGV[checksAt + 2 * c - 2]
  local current = redis.pcall('HGET', rv, key)
  if type(current) == 'table' and current.err then
    return wrongType(rv, 'hash', 'the rv checks')
  end
  if (current or '0') ~= ARGV[checksAt + 2 * c - 1] then
    return {'conflict', key}
  end
end

-- Writes ------------------------------------------------------------------------

for e = 1, nEntries do
  local seq, block, field, header = seqs[e], blocks[e], ARGV[entriesAt + 3 * e - 3], ARGV[entriesAt + 3 * e - 1]
  if e == 1 then
    -- The first write checks what no cheap read does: the log is a stream (or absent) holding
    -- nothing at or after the new seq (XADD takes only a greater id). Refused, it wrote nothing.
    local added = redis.pcall('XADD', log, seq .. '-0', 'e', ARGV[entriesAt + 1])
    if type(added) == 'table' and added.err then
      if redis.call('TYPE', log).ok ~= 'stream' then
        return wrongType(log, 'stream', 'the log')
      end
      if string.find(added.err, 'equal or smaller', 1, true) then
        return invalid('the log ' .. log .. ' cannot take entry ' .. seq .. ' (the seq is behind it): ' .. added.err)
      end
      -- Anything else (out of memory): the error as it is, nothing written.
      return redis.error_reply(added.err)
    end
  else
    redis.call('XADD', log, seq .. '-0', 'e', ARGV[entriesAt + 3 * e - 2])
  end
  redis.call('APPEND', block, header ~= '' and (seq .. ' ' .. header .. '\n') or (seq .. '\n'))
  if seq % BlockSize == BlockSize - 1 then
    -- The block is complete: written again, it drops the room APPEND kept for growth.
    redis.call('SET', block, redis.call('GET', block))
  end
  if field ~= '' then
    redis.call('HSET', seen, field, seq)
  end
end
if nEntries > 0 then
  redis.call('SET', seqKey, seqs[nEntries])
end
-- A commit without entries (a pass that decided nothing) still applies its ops.
local lastSeq = tostring(nEntries > 0 and seqs[nEntries] or last)

-- Variadic commands go in chunks: Lua's unpack() has a limit of a few thousand values.
local function chunked(command, key, args, from, to)
  for a = from, to, 1000 do
    redis.call(command, key, unpack(args, a, math.min(a + 999, to)))
  end
end

if nRv > 0 then
  local rvArgs = {}
  for r = 1, nRv do
    rvArgs[2 * r - 1] = ARGV[rvAt + r - 1]
    rvArgs[2 * r] = lastSeq
  end
  chunked('HSET', rv, rvArgs, 1, #rvArgs)
end

for o = 1, nOps do
  local code, key, at = opCodes[o], opKeys[o], opAt[o]
  if code == 'hset' then
    chunked('HSET', key, ARGV, at, at + opN[o] - 1)
  elseif code == 'sadd' then
    chunked('SADD', key, ARGV, at, at + opN[o] - 1)
  elseif code == 'hdel' then
    redis.call('HDEL', key, ARGV[at])
  elseif code == 'srem' then
    redis.call('SREM', key, ARGV[at])
  elseif code == 'del' then
    redis.call('DEL', key)
  elseif code == 'hincr' then
    redis.call('HINCRBY', key, ARGV[at], ARGV[at + 1])
  elseif code == 'hdecr' then
    if redis.call('HINCRBY', key, ARGV[at], -tonumber(ARGV[at + 1])) <= 0 then
      redis.call('HDEL', key, ARGV[at])
    end
  elseif code == 'hsetseq' then
    redis.call('HSET', key, seqs[tonumber(ARGV[at]) + 1], ARGV[at + 1])
  elseif code == 'xaddseq' then
    redis.call('XADD', key, '*', 'seq', seqs[tonumber(ARGV[at]) + 1])
  end
end

table.insert(seqs, 1, 'ok')
return seqs
