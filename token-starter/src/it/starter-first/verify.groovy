// Spring Data Redis (and Spring Session on Redis) need Lettuce, whichever the application declares first: the
// token starter or spring-boot-starter-data-redis (starter-last declares them the other way round).
def resolved = new File(basedir, 'dependencies.txt').readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') }
assert resolved.any { it.startsWith('io.lettuce:lettuce-core:jar:') }
assert resolved.any { it.startsWith('org.springframework.data:spring-data-redis:jar:') }
assert resolved.any { it.startsWith('org.springframework.boot:spring-boot-data-redis:jar:') }
assert resolved.any { it.startsWith('org.redisson:redisson:jar:') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter-autoconfigure:jar:') }
return true
