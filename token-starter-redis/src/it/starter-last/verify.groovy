// Fleet mode needs Redisson and Spring Boot's Redis support with Lettuce, whichever the application declares
// first: token-starter-redis or spring-boot-starter-data-redis. The order changes nothing at all: this application
// gets exactly what starter-first (the same two dependencies the other way round, built before this one) got.
def dependencies = { File tree -> tree.readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') } as Set }
def resolved = dependencies(new File(basedir, 'dependencies.txt'))
def otherOrder = dependencies(new File(basedir, '../starter-first/dependencies.txt'))
assert resolved.any { it.startsWith('io.lettuce:lettuce-core:jar:') }
assert resolved.any { it.startsWith('org.springframework.data:spring-data-redis:jar:') }
assert resolved.any { it.startsWith('org.springframework.boot:spring-boot-data-redis:jar:') }
assert resolved.any { it.startsWith('org.redisson:redisson:jar:') }
assert !otherOrder.isEmpty()
assert resolved == otherOrder
return true
