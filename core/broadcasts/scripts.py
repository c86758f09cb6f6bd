"""The broadcast store's compare-and-set scripts (one Redis round trip each, atomic)."""

# KEYS: hash, active set. ARGV: new state, id, now, allowed states... Returns 1 if it moved.
TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
for i = 4, #ARGV do
  if state == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'changed', ARGV[3])
    if ARGV[1] == 'running' then
      redis.call('HSET', KEYS[1], 'started', ARGV[3])
      redis.call('SADD', KEYS[2], ARGV[2])
    elseif ARGV[1] ~= 'stopping' then
      redis.call('SREM', KEYS[2], ARGV[2])
    end
    return 1
  end
end
return 0
"""
# KEYS: hash, active set. ARGV: id. running → done once every chat is counted.
COMPLETE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
local v = redis.call('HMGET', KEYS[1], 'total', 'sent', 'failed', 'blocked')
if not v[1] then return 0 end
if (tonumber(v[2]) or 0) + (tonumber(v[3]) or 0) + (tonumber(v[4]) or 0) < tonumber(v[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done')
redis.call('SREM', KEYS[2], ARGV[1])
return 1
"""
