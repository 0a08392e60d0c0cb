// Without Redis of its own, the application gets no Redis client that Spring Boot would configure against
// localhost: no Lettuce, no Jedis, no Spring Data Redis.
def resolved = new File(basedir, 'dependencies.txt').readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter-autoconfigure:jar:') }
assert !resolved.any { it.startsWith('io.lettuce:') }
assert !resolved.any { it.startsWith('redis.clients:jedis:') }
assert !resolved.any { it.startsWith('org.springframework.data:spring-data-redis:') }
return true
