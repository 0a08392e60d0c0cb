package dev.tokenstarter.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.OAuth2AccessToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Keys with a subject token: compared by the token, named by its hash, never showing it.
 */
class SubjectTokenKeyTests {

	private static OAuth2AccessToken token(String value) {
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, Instant.EPOCH,
				Instant.EPOCH.plusSeconds(60));
	}

	@Test
	void keysOfTheSameSubjectTokenAreEqualAndOfAnotherAreNot() {
		TokenKey alice = TokenKey.forProvider("orders").subjectToken(token("S-alice")).audience("a").build();
		TokenKey again = TokenKey.forProvider("orders").subjectToken(token("S-alice")).audience("a").build();
		assertThat(alice).isEqualTo(again).hasSameHashCodeAs(again);
		assertThat(alice).isNotEqualTo(TokenKey.forProvider("orders").subjectToken(token("S-bob")).audience("a").build())
			.isNotEqualTo(TokenKey.forProvider("orders").subjectToken(token("S-alice")).audience("b").build())
			.isNotEqualTo(TokenKey.forProvider("orders").audience("a").build());
		assertThat(alice.isApplication()).isFalse();
		assertThat(TokenKey.forProvider("orders").subjectToken(token("S-alice")).build().isApplication()).isFalse();
	}

	@Test
	void theStoreNameIsTheHashOfTheSubjectTokenAndNeverTheToken() {
		TokenKey key = TokenKey.forProvider("orders").subjectToken(token("S-alice")).build();
		KeyPrincipal plain = KeyPrincipal.subject(key.subjectHash(), Set.of(), Map.of(), null);
		KeyPrincipal withAudience = KeyPrincipal.subject(key.subjectHash(), Set.of(), Map.of("audience", "a"), null);
		assertThat(plain.getName()).isEqualTo(TokenKey.SUBJECT_PREFIX + KeyPrincipal.sha256("S-alice"))
			.doesNotContain("S-alice");
		assertThat(withAudience.getName()).startsWith(plain.getName() + "#").doesNotContain("S-alice");
		assertThat(key.toString()).contains("subject token").doesNotContain("S-alice")
			.doesNotContain(key.subjectHash());
	}

	@Test
	void keysAndStoreNamesOfTwoActorsDifferAndAKeyWithoutActorKeepsItsName() {
		TokenKey plain = TokenKey.forProvider("orders").subjectToken(token("S-alice")).build();
		TokenKey gateway = TokenKey.forProvider("orders").subjectToken(token("S-alice")).actor("gateway").build();
		TokenKey auditor = TokenKey.forProvider("orders").subjectToken(token("S-alice")).actor("auditor").build();
		assertThat(gateway).isEqualTo(TokenKey.forProvider("orders").subjectToken(token("S-alice")).actor("gateway").build())
			.isNotEqualTo(auditor)
			.isNotEqualTo(plain);
		assertThat(gateway.toString()).contains("actor gateway").doesNotContain("S-alice");

		String without = KeyPrincipal.subject(plain.subjectHash(), Set.of(), Map.of(), null).getName();
		String asGateway = KeyPrincipal.subject(plain.subjectHash(), Set.of(), Map.of(), "gateway app:1").getName();
		String asAuditor = KeyPrincipal.subject(plain.subjectHash(), Set.of(), Map.of(), "auditor app:2").getName();
		// The same actor provider reconfigured as another client is another actor too.
		String asOtherGateway = KeyPrincipal.subject(plain.subjectHash(), Set.of(), Map.of(), "gateway app:3").getName();
		assertThat(without).isEqualTo(TokenKey.SUBJECT_PREFIX + KeyPrincipal.sha256("S-alice"));
		assertThat(List.of(asGateway, asAuditor, asOtherGateway)).doesNotHaveDuplicates()
			.allSatisfy((name) -> assertThat(name).startsWith(without + "#"));
	}

	@Test
	void anActorActsForASubjectToken() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TokenKey.forProvider("orders").actor("gateway").build())
			.withMessageContaining("needs a subject token");
	}

	@Test
	void aKeyHasAPrincipalOrASubjectTokenNotBoth() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TokenKey.forProvider("orders").principal("alice").subjectToken(token("S")).build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TokenKey.forProvider("orders").principal(TokenKey.SUBJECT_PREFIX + "abc"))
			.withMessageContaining("must not start with");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TokenKey.forProvider("orders").parameter("subject_token", "S"))
			.withMessageContaining("set by the grant itself");
	}

}
