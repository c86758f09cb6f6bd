"""The Lua scripts behind ScheduleStore and the engine: each edit is one atomic step in Redis.

Keys of single schedules are built inside the scripts from a prefix (ARGV), so a script touches a
whole chat or a whole batch in one round trip (a single Redis server, not a cluster).
"""

# KEYS: due, schedule hash, chat set, zones. ARGV: id, max per chat, due ms, chat id, the zone the
# due time was computed in ('' = default), then field/value pairs.
# Returns 1 added, 0 too many, -1 id taken (pick another), -2 the chat's zone changed meanwhile.
ADD = """
if (redis.call('HGET', KEYS[4], ARGV[4]) or '') ~= ARGV[5] then return -2 end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('HSET', KEYS[2], 'due', ARGV[3], unpack(ARGV, 6))
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

# KEYS: chat set. ARGV: schedule key prefix. Returns {id, {hash...}, ...}.
LIST = """
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', ARGV[1] .. id)
  if #h > 0 then table.insert(out, id); table.insert(out, h) end
end
return out
"""

# KEYS: due, chat set. ARGV: schedule key prefix, id. Returns 1 cancelled, 0 not this chat's.
CANCEL = """
if redis.call('SREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[2])
return 1
"""

# KEYS: due, chat set, zones. ARGV: schedule key prefix, chat id, '1' to forget the zone too.
CANCEL_ALL = """
local ids = redis.call('SMEMBERS', KEYS[2])
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
end
redis.call('DEL', KEYS[2])
if ARGV[3] == '1' then redis.call('HDEL', KEYS[3], ARGV[2]) end
return #ids
"""

# KEYS: old chat set, new chat set, zones. ARGV: schedule key prefix, old id, new id.
MIGRATE = """
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do
  redis.call('HSET', ARGV[1] .. id, 'chat_id', ARGV[3], 'chat_type', 'supergroup')
  redis.call('SADD', KEYS[2], id)
end
redis.call('DEL', KEYS[1])
local zone = redis.call('HGET', KEYS[3], ARGV[2])
if zone then
  redis.call('HSETNX', KEYS[3], ARGV[3], zone)
  redis.call('HDEL', KEYS[3], ARGV[2])
end
return #ids
"""

# KEYS: due, zones, chat set. ARGV: schedule key prefix, chat id, new zone, zone expected now
# ('' = default), then one (id, due ms it was read with, new due ms or '' to keep) triple for each of the
# chat's schedules. All or nothing: returns 1 done, -1 something changed since the read (a schedule
# added, cancelled or advanced, another /timezone): read again and retry.
SET_ZONE = """
if (redis.call('HGET', KEYS[2], ARGV[2]) or '') ~= ARGV[4] then return -1 end
if redis.call('SCARD', KEYS[3]) * 3 ~= #ARGV - 4 then return -1 end
for i = 5, #ARGV, 3 do
  if redis.call('SISMEMBER', KEYS[3], ARGV[i]) == 0 then return -1 end
  if redis.call('HGET', ARGV[1] .. ARGV[i], 'due') ~= ARGV[i + 1] then return -1 end
end
for i = 5, #ARGV, 3 do
  if ARGV[i + 2] ~= '' then
    redis.call('HSET', ARGV[1] .. ARGV[i], 'due', ARGV[i + 2])
    redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
  end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: due, zones. ARGV: now ms, lease ms, batch, schedule key prefix.
# Claims up to `batch` due entries: each one's score moves to now + lease (its hash keeps `due`).
# Returns {{id, {hash...}, zone, ...}, the earliest score left ('' if none)}.
CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out, leased = {}, tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(ids) do
  local key = ARGV[4] .. id
  local h = redis.call('HGETALL', key)
  if #h == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('ZADD', KEYS[1], leased, id)
    local chat = ''
    for j = 1, #h, 2 do
      if h[j] == 'chat_id' then chat = h[j + 1] end
    end
    table.insert(out, id)
    table.insert(out, h)
    table.insert(out, redis.call('HGET', KEYS[2], chat) or '')
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {out, first[2] or ''}
"""

# KEYS: due. ARGV: schedule key prefix, then (id, claimed due ms, next due ms) triples.
# Compare-and-set: a schedule cancelled or re-timed since its claim is left as it is now.
ADVANCE = """
local moved = 0
for i = 2, #ARGV, 3 do
  local key = ARGV[1] .. ARGV[i]
  if redis.call('HGET', key, 'due') == ARGV[i + 1] then
    redis.call('HSET', key, 'due', ARGV[i + 2])
    redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
    moved = moved + 1
  end
end
return moved
"""
