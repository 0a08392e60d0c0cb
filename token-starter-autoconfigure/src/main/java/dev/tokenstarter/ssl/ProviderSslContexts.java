package dev.tokenstarter.ssl;

import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenSettings;

/**
 * The TLS set-up of each provider that names an {@code ssl-bundle}: its client certificate for mutual TLS and
 * its trust material (the JVM's when the bundle has none), for the token endpoint and the API alike. Kept as the
 * Spring Boot {@link SslBundle} itself, so that whichever HTTP client the application uses (Reactor Netty, the
 * JDK's, Jetty, Apache HttpClient) applies it through Boot's own support for client SSL bundles. Checked at
 * start-up, so a missing bundle or an expired certificate stops the application with a message naming the
 * property instead of failing the first call with a TLS stack trace. Server certificates are always checked:
 * there is deliberately no trust-all option.
 */
public class ProviderSslContexts {

	private final Map<String, SslBundle> bundles;

	private ProviderSslContexts(Map<String, SslBundle> bundles) {
		this.bundles = Collections.unmodifiableMap(bundles);
	}

	/**
	 * Resolves the SSL bundle of every provider that names one.
	 * @param settings the providers' resolved settings
	 * @param bundles the application's SSL bundles, or null when it has none
	 * @param clock the clock certificates are checked against
	 * @return the providers' TLS set-up
	 * @throws TokenConfigurationException when a bundle is missing, has no usable certificate, or cannot be used
	 */
	public static ProviderSslContexts of(TokenSettings settings, @Nullable SslBundles bundles, Clock clock) {
		Map<String, SslBundle> resolved = new LinkedHashMap<>();
		for (ProviderSettings provider : settings.providers()) {
			String name = provider.sslBundle();
			if (name == null) {
				continue;
			}
			String property = "token.providers." + provider.registrationId() + ".ssl-bundle";
			SslBundle bundle = bundle(property, name, bundles);
			// The resolved client authentication: tls_client_auth may come from token.defaults.
			boolean certificateRequired = provider.clientAuthentication().isMutualTls();
			checkCertificates(property, name, bundle,
					certificateRequired ? provider.clientAuthentication().name().toLowerCase(Locale.ROOT) : null, clock);
			checkUsable(property, name, bundle);
			resolved.put(provider.registrationId(), bundle);
		}
		return new ProviderSslContexts(resolved);
	}

	/**
	 * Returns the SSL bundle of the provider's connections.
	 * @param provider the provider's name
	 * @return its bundle, or null when it uses the HTTP client's defaults
	 */
	public @Nullable SslBundle bundle(String provider) {
		return this.bundles.get(provider);
	}

	/**
	 * Whether the provider's connections use an SSL bundle of their own.
	 */
	public boolean hasBundle(String provider) {
		return this.bundles.containsKey(provider);
	}

	/**
	 * Returns the SSL bundle a property names, failing start-up with the property's name when there is none.
	 */
	static SslBundle bundle(String property, String name, @Nullable SslBundles bundles) {
		if (bundles == null) {
			throw new TokenConfigurationException(property,
					"names SSL bundle '" + name + "', but the application has no SSL bundles (spring.ssl.bundle.*)");
		}
		try {
			return bundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new TokenConfigurationException(property, "names SSL bundle '" + name + "', which does not exist; "
					+ "configured bundles: " + bundles.getBundleNames(), ex);
		}
	}

	/**
	 * @param requiredBy the client authentication that needs a client certificate, or null when none does
	 */
	private static void checkCertificates(String property, String name, SslBundle bundle,
			@Nullable String requiredBy, Clock clock) {
		KeyStore keyStore = bundle.getStores().getKeyStore();
		List<X509Certificate> certificates = (keyStore != null) ? clientCertificates(keyStore, bundle) : List.of();
		if (certificates.isEmpty()) {
			String alias = bundle.getKey().getAlias();
			if (alias != null) {
				// The handshake would go without a client certificate, and fail at the provider.
				throw new TokenConfigurationException(property, "names SSL bundle '" + name + "', whose key.alias '"
						+ alias + "' names no private key with a certificate in its key store");
			}
			if (requiredBy != null) {
				throw new TokenConfigurationException(property, "names SSL bundle '" + name + "', which has no "
						+ "private key and certificate, but client-authentication " + requiredBy + " needs one");
			}
			return;
		}
		Date now = Date.from(clock.instant());
		for (X509Certificate certificate : certificates) {
			try {
				certificate.checkValidity(now);
			}
			catch (CertificateExpiredException ex) {
				throw new TokenConfigurationException(property, "names SSL bundle '" + name + "', whose certificate "
						+ certificate.getSubjectX500Principal().getName() + " expired on "
						+ certificate.getNotAfter().toInstant() + ": ask the provider for a new one", ex);
			}
			catch (CertificateNotYetValidException ex) {
				throw new TokenConfigurationException(property, "names SSL bundle '" + name + "', whose certificate "
						+ certificate.getSubjectX500Principal().getName() + " is only valid from "
						+ certificate.getNotBefore().toInstant(), ex);
			}
		}
	}

	private static List<X509Certificate> clientCertificates(KeyStore keyStore, SslBundle bundle) {
		try {
			String alias = bundle.getKey().getAlias();
			List<String> aliases = (alias != null) ? List.of(alias) : Collections.list(keyStore.aliases());
			List<X509Certificate> certificates = new ArrayList<>();
			for (String candidate : aliases) {
				if (keyStore.isKeyEntry(candidate)
						&& keyStore.getCertificate(candidate) instanceof X509Certificate certificate) {
					certificates.add(certificate);
				}
			}
			return certificates;
		}
		catch (KeyStoreException ex) {
			throw new IllegalStateException("The SSL bundle's key store is not loaded", ex);
		}
	}

	/**
	 * Builds what every HTTP client Spring Boot supports builds from a bundle: an {@code SSLContext} from its key
	 * and trust managers, and an engine with its protocols and ciphers, which the JDK refuses when it does not
	 * support them.
	 */
	private static void checkUsable(String property, String name, SslBundle bundle) {
		try {
			SSLContext context = bundle.createSslContext();
			SSLEngine engine = context.createSSLEngine();
			SslOptions options = bundle.getOptions();
			if (options.getEnabledProtocols() != null) {
				engine.setEnabledProtocols(options.getEnabledProtocols());
			}
			if (options.getCiphers() != null) {
				engine.setEnabledCipherSuites(options.getCiphers());
			}
		}
		catch (RuntimeException ex) {
			throw new TokenConfigurationException(property,
					"names SSL bundle '" + name + "', which cannot be used for TLS: " + ex.getMessage(), ex);
		}
	}

}
