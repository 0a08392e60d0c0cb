package dev.tokenstarter.test;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a screen: keeps cookies, follows redirects itself (so a test sees every address it went
 * through), and fills in Spring Security's login form with its CSRF token.
 */
public final class Browser {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

	private final HttpClient http = HttpClient.newBuilder()
		.cookieHandler(this.cookies)
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	/** Every address redirected to, in order. */
	private final List<URI> visited = new ArrayList<>();

	/**
	 * Opens an address and follows its redirects.
	 * @param address where to go
	 * @return the last answer
	 */
	public Page open(String address) {
		return follow(HttpRequest.newBuilder(URI.create(address)).GET());
	}

	/**
	 * Posts a form and follows the redirects of the answer.
	 * @param address where to post
	 * @param fields the form's fields
	 * @return the last answer
	 */
	public Page post(String address, Map<String, String> fields) {
		String form = fields.entrySet()
			.stream()
			.map((field) -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return follow(HttpRequest.newBuilder(URI.create(address))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

	/**
	 * Logs in on a login page of Spring Security's with a username and password.
	 * @param loginPage the login page the browser was sent to
	 * @param username the user
	 * @param password the password
	 * @return the last answer after the login's redirects
	 */
	public Page logIn(Page loginPage, String username, String password) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("username", username);
		fields.put("password", password);
		fields.put("_csrf", loginPage.csrf());
		return post(loginPage.uri().resolve("/login").toString(), fields);
	}

	/**
	 * Returns the value of a cookie the browser holds for an address, so that another client can make a request
	 * in the browser's session.
	 * @param address the address
	 * @param name the cookie's name
	 * @return its value
	 */
	public String cookie(String address, String name) {
		return this.cookies.getCookieStore()
			.get(URI.create(address))
			.stream()
			.filter((cookie) -> cookie.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No cookie " + name + " for " + address))
			.getValue();
	}

	public List<URI> visited() {
		return List.copyOf(this.visited);
	}

	private Page follow(HttpRequest.Builder first) {
		HttpRequest request = first.header("Accept", "text/html").timeout(Duration.ofSeconds(30)).build();
		for (int hop = 0; hop < 20; hop++) {
			HttpResponse<String> response = send(request);
			String location = response.headers().firstValue("Location").orElse(null);
			if (response.statusCode() / 100 != 3 || location == null) {
				return new Page(request.uri(), response.statusCode(), response.body());
			}
			URI next = request.uri().resolve(location);
			this.visited.add(next);
			request = HttpRequest.newBuilder(next).header("Accept", "text/html").timeout(Duration.ofSeconds(30)).GET().build();
		}
		throw new IllegalStateException("More than 20 redirects, last " + request.uri());
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Request to " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * An answer: where it came from, its status and its body.
	 */
	public record Page(URI uri, int status, String body) {

		/**
		 * Returns the CSRF token of the page's form.
		 */
		public String csrf() {
			Matcher matcher = CSRF.matcher(this.body);
			if (!matcher.find()) {
				throw new IllegalStateException("No CSRF token on " + this.uri + ": " + this.body);
			}
			return matcher.group(1);
		}

	}

}
