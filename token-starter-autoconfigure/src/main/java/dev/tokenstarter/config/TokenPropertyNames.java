package dev.tokenstarter.config;

import java.beans.PropertyDescriptor;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.core.ResolvableType;

/**
 * The names {@link TokenProperties} binds, read from its JavaBean properties as Spring Boot's binder reads them,
 * so that a key written under {@code token.*} that binds to nothing can be told apart from a valid one, in any of
 * its relaxed spellings, and the closest valid key named.
 *
 * <p>Only {@code token.*} keys below one of the starter's own groups ({@code providers}, {@code defaults},
 * {@code scheduler}, {@code store}, {@code keys}, {@code logins}) are judged: the prefix is a common word, and
 * other libraries or the application itself may use {@code token.*} keys of their own. Directly under
 * {@code token}, only a near miss of a group's name with settings below it ({@code token.provider.*}) is
 * reported.
 */
final class TokenPropertyNames {

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(TokenProperties.PREFIX);

	private final Group root = Group.of(TokenProperties.class);

	/**
	 * Returns what is wrong with a name found in a property source, or null when it binds to a setting or is
	 * not the starter's.
	 * @param name a name under {@code token}
	 * @return a sentence naming the key and the closest valid one, or null
	 */
	@Nullable String problem(ConfigurationPropertyName name) {
		if (!ROOT.isAncestorOf(name)) {
			return null;
		}
		Group group = this.root;
		int index = ROOT.getNumberOfElements();
		while (true) {
			Member member = group.members.get(name.getElement(index, Form.UNIFORM));
			if (member == null) {
				return unknown(name, index, group);
			}
			index += (member.kind == Kind.ENTRIES) ? 2 : 1;
			if (index >= name.getNumberOfElements() || member.kind == Kind.OPEN) {
				return null;
			}
			if (member.kind == Kind.VALUE) {
				return written(name) + " is unknown: " + display(name, index)
						+ " takes a single value";
			}
			group = Objects.requireNonNull(member.group);
		}
	}

	private @Nullable String unknown(ConfigurationPropertyName name, int index, Group group) {
		String written = name.getElement(index, Form.UNIFORM);
		boolean topLevel = index == ROOT.getNumberOfElements();
		Member closest = group.members.values()
			.stream()
			.min(Comparator.comparingInt((member) -> distance(written, member.uniform)))
			.orElseThrow();
		int distance = distance(written, closest.uniform);
		String unknown = written(name) + " is unknown";
		if (topLevel) {
			// Anything far from the starter's groups, or a single value (the groups hold settings), is taken to be
			// another library's key or the application's own (token.key beside token.keys).
			boolean holdsSettings = index + 1 < name.getNumberOfElements();
			return (distance <= 1 && holdsSettings)
					? unknown + "; did you mean " + display(name, index) + "." + closest.dashed + "?" : null;
		}
		if (distance <= Math.max(2, Math.min(written.length(), closest.uniform.length()) / 3)) {
			return unknown + "; did you mean " + display(name, index) + "." + closest.dashed + "?";
		}
		// "secret" for client-secret: part of a valid name rather than a misspelling of one.
		Member containing = group.members.values()
			.stream()
			.filter((member) -> written.length() >= 4 && member.uniform.contains(written))
			.min(Comparator.comparingInt((member) -> member.uniform.length()))
			.orElse(null);
		if (containing != null) {
			return unknown + "; did you mean " + display(name, index) + "." + containing.dashed + "?";
		}
		return unknown + "; valid keys here are "
				+ group.members.values().stream().map((member) -> member.dashed).collect(Collectors.joining(", "));
	}

	/**
	 * Returns a name as the user wrote it (not lower-cased as its canonical form is).
	 * @param name a name read from a property source
	 * @return its elements in their original form
	 */
	static String written(ConfigurationPropertyName name) {
		return display(name, name.getNumberOfElements());
	}

	/**
	 * The first elements of a name as the user wrote them.
	 */
	private static String display(ConfigurationPropertyName name, int elements) {
		StringBuilder display = new StringBuilder();
		for (int i = 0; i < elements; i++) {
			String element = name.getElement(i, Form.ORIGINAL);
			if (name.chop(i + 1).isLastElementIndexed()) {
				display.append('[').append(element).append(']');
			}
			else {
				display.append((i > 0) ? "." : "").append(element);
			}
		}
		return display.toString();
	}

	/**
	 * Edit distance counting a swap of two neighbouring letters as one edit, the commonest typo. Spring's
	 * {@code PropertyMatches} cannot be used: it only considers writable properties, so groups such as
	 * {@code retry} would get no suggestion.
	 */
	static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

	/**
	 * How the binder treats what follows a property's name.
	 */
	private enum Kind {

		/** A single value: nothing may follow. */
		VALUE,

		/** Map entries or collection elements of single values: anything may follow. */
		OPEN,

		/** Map entries of groups ({@code providers}): a key, then the group's properties. */
		ENTRIES,

		/** A nested group of properties. */
		GROUP

	}

	private record Member(String dashed, String uniform, Kind kind, @Nullable Group group) {

		static Member of(PropertyDescriptor descriptor) {
			String dashed = DataObjectPropertyName.toDashedForm(descriptor.getName());
			String uniform = ConfigurationPropertyName.of(dashed).getElement(0, Form.UNIFORM);
			ResolvableType type = (descriptor.getReadMethod() != null)
					? ResolvableType.forMethodReturnType(descriptor.getReadMethod())
					: ResolvableType.forMethodParameter(descriptor.getWriteMethod(), 0);
			if (type.asMap() != ResolvableType.NONE) {
				Class<?> values = type.asMap().resolveGeneric(1);
				return isGroup(values) ? new Member(dashed, uniform, Kind.ENTRIES, Group.of(values))
						: new Member(dashed, uniform, Kind.OPEN, null);
			}
			Class<?> resolved = type.resolve(Object.class);
			if (type.isArray() || Collection.class.isAssignableFrom(resolved)) {
				return new Member(dashed, uniform, Kind.OPEN, null);
			}
			return isGroup(resolved) ? new Member(dashed, uniform, Kind.GROUP, Group.of(resolved))
					: new Member(dashed, uniform, Kind.VALUE, null);
		}

		/**
		 * The starter's own property classes are bound property by property; anything else (strings, numbers,
		 * durations, enums) is converted from a single value.
		 */
		private static boolean isGroup(@Nullable Class<?> type) {
			return type != null && !type.isEnum()
					&& type.getPackageName().equals(TokenProperties.class.getPackageName());
		}

	}

	private record Group(Map<String, Member> members) {

		static Group of(Class<?> type) {
			Map<String, Member> members = new TreeMap<>();
			for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
				if (!"class".equals(descriptor.getName())) {
					Member member = Member.of(descriptor);
					members.put(member.uniform, member);
				}
			}
			return new Group(Collections.unmodifiableMap(members));
		}

	}

}
