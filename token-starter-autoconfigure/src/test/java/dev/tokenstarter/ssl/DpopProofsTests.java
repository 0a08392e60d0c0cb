package dev.tokenstarter.ssl;

import java.net.URI;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proof's {@code htu} is the request's target URI as the server rebuilds it (RFC 9449 section 4.2, RFC 9110
 * section 7.1): without query and fragment, and without what the server never sees or what it writes another
 * way. Servers that compare {@code htu} with the URL they rebuilt character for character (Spring Security's
 * among them) refuse a proof that carries the default port or an empty path; and a user and password written into
 * a base URL would be signed into every proof and handed to the API.
 */
class DpopProofsTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "https://api.example.com/orders?page=2#top, https://api.example.com/orders",
			"https://api.example.com:443/orders, https://api.example.com/orders",
			"http://api.example.com:80/orders, http://api.example.com/orders",
			"https://api.example.com:8443/orders, https://api.example.com:8443/orders",
			"https://api.example.com, https://api.example.com/",
			"HTTPS://api.example.com/orders, https://api.example.com/orders",
			"https://user:s3cr3t@api.example.com/orders, https://api.example.com/orders",
			"https://[::1]:8443/orders, https://[::1]:8443/orders",
			"https://api.example.com/a%20b, https://api.example.com/a%20b" })
	void theTargetUriIsTheOneTheServerRebuilds(String requested, String htu) {
		assertThat(DpopProofs.htu(URI.create(requested))).isEqualTo(htu);
	}

}
