// Fleet mode needs Redisson (from token-starter-redis) and Spring Boot's Redis support with Lettuce (from
// spring-boot-starter-data-redis), whichever the application declares first (starter-last declares them the other
// way round).
def resolved = new File(basedir, 'dependencies.txt').readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') }
assert resolved.any { it.startsWith('io.lettuce:lettuce-core:jar:') }
assert resolved.any { it.startsWith('org.springframework.data:spring-data-redis:jar:') }
assert resolved.any { it.startsWith('org.springframework.boot:spring-boot-data-redis:jar:') }
assert resolved.any { it.startsWith('org.redisson:redisson:jar:') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter:jar:') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter-autoconfigure:jar:') }
return true
