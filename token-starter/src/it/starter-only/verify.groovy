// An application on the memory store carries none of fleet mode's libraries: no Redisson (nor the Kryo and RxJava
// it brings), and no Redis client that Spring Boot would configure against localhost: no Lettuce, no Jedis, no
// Spring Data Redis.
def resolved = new File(basedir, 'dependencies.txt').readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter-autoconfigure:jar:') }
assert !resolved.any { it.startsWith('org.redisson:') }
assert !resolved.any { it.startsWith('com.esotericsoftware:') }
assert !resolved.any { it.startsWith('io.reactivex.rxjava3:') }
assert !resolved.any { it.startsWith('io.lettuce:') }
assert !resolved.any { it.startsWith('redis.clients:jedis:') }
assert !resolved.any { it.startsWith('org.springframework.data:spring-data-redis:') }
assert !resolved.any { it.startsWith('org.springframework.boot:spring-boot-data-redis:') }
return true
