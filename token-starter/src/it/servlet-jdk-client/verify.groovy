// The README's exclusion leaves a servlet application with no Reactor Netty and no Netty at all: what
// ServletApplicationOnTheJdkClientTests runs on (token requests and API calls through the JDK's client).
def resolved = new File(basedir, 'dependencies.txt').readLines().drop(1).collect { it.replaceFirst(/^[|+\\\- ]+/, '') }
assert resolved.any { it.startsWith('dev.tokenstarter:token-starter-autoconfigure:jar:') }
assert resolved.any { it.startsWith('org.springframework.boot:spring-boot-http-client:jar:') }
assert !resolved.any { it.startsWith('io.projectreactor.netty:') }
assert !resolved.any { it.startsWith('io.netty:') }
return true
