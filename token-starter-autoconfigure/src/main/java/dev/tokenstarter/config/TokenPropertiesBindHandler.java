package dev.tokenstarter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.ResolvableType;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.env.PropertySources;
import org.springframework.util.ClassUtils;
import org.springframework.util.PlaceholderResolutionException;
import org.springframework.util.PropertyPlaceholderHelper;
import org.springframework.util.SystemPropertyUtils;
import org.springframework.util.unit.DataSize;

/**
 * Checks, once {@link TokenProperties} is bound, what binding lets through silently: keys under {@code token.*}
 * that bind to nothing (a misspelt {@code client-secert}) and values whose {@code ${…}} placeholders nothing
 * resolved (Spring Boot binds those as their literal text). Both are reported with the validation errors of the
 * same binding, all at once.
 *
 * <p>Spring Boot's {@code ignoreUnknownFields = false} is not used: it fails on any unknown {@code token.*} key,
 * other libraries' included, suggests nothing, and fails before validation, so the report would be split.
 */
class TokenPropertiesBindHandler extends AbstractBindHandler {

	/** The longest value the report repeats: shorter than secrets are, longer than a mistyped setting. */
	private static final int MAX_REPEATED_LENGTH = 16;

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(TokenProperties.PREFIX);

	/** Like the binder's placeholder resolution, but failing on what it cannot resolve. */
	private static final PropertyPlaceholderHelper STRICT_PLACEHOLDERS = new PropertyPlaceholderHelper(
			SystemPropertyUtils.PLACEHOLDER_PREFIX, SystemPropertyUtils.PLACEHOLDER_SUFFIX,
			SystemPropertyUtils.VALUE_SEPARATOR, SystemPropertyUtils.ESCAPE_CHARACTER, false);

	/**
	 * Environment variables and system properties are not checked for unknown keys, as Spring Boot does not
	 * check them either: they belong to the whole machine (Kubernetes gives every pod TOKEN_STORE_SERVICE_HOST
	 * and the like for a service named token-store).
	 */
	private static final UnboundElementsSourceFilter CHECKED_SOURCES = new UnboundElementsSourceFilter();

	private final TokenPropertyNames names;

	private final PropertySources propertySources;

	private final Map<ConfigurationPropertyName, ConfigurationProperty> bound = new LinkedHashMap<>();

	/** Values that did not convert to their property's type, one sentence each. */
	private final List<String> unconverted = new ArrayList<>();

	private boolean checking;

	TokenPropertiesBindHandler(BindHandler parent, TokenPropertyNames names, PropertySources propertySources) {
		super(parent);
		this.names = names;
		this.propertySources = propertySources;
	}

	@Override
	public <T> @Nullable Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target, BindContext context) {
		if (context.getDepth() == 0) {
			this.checking = ROOT.equals(name) && TokenProperties.class.equals(target.getType().resolve());
		}
		return super.onStart(name, target, context);
	}

	@Override
	public @Nullable Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			Object result) {
		ConfigurationProperty property = context.getConfigurationProperty();
		if (this.checking && property != null && name.equals(property.getName())) {
			this.bound.put(name, property);
		}
		return super.onSuccess(name, target, context, result);
	}

	/**
	 * A value that does not convert (a word where a number or a duration belongs, an unknown constant) is
	 * reported with everything else wrong under {@code token.*}, instead of ending the binding, and the report,
	 * at the first one: the property keeps its default meanwhile, and the binding fails once finished.
	 */
	@Override
	public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			Exception error) throws Exception {
		if (!this.checking || !(error instanceof ConversionException)) {
			return super.onFailure(name, target, context, error);
		}
		ConfigurationProperty property = context.getConfigurationProperty();
		String value = (property != null && isRepeatable(target.getType()))
				? " is " + repeated(String.valueOf(property.getValue())) + "," : " is";
		this.unconverted.add(TokenPropertyNames.written(name) + value + " not " + expected(target.getType())
				+ from(property));
		return null;
	}

	@Override
	public void onFinish(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
			@Nullable Object result) throws Exception {
		if (!this.checking || context.getDepth() != 0) {
			super.onFinish(name, target, context, result);
			return;
		}
		List<String> problems = unknownKeys(context.getSources());
		problems.addAll(this.unconverted);
		problems.addAll(unresolvedPlaceholders());
		if (problems.isEmpty()) {
			super.onFinish(name, target, context, result);
			return;
		}
		BindValidationException validationFailure = null;
		try {
			super.onFinish(name, target, context, result);
		}
		catch (BindValidationException ex) {
			validationFailure = ex;
		}
		throw new InvalidTokenPropertiesException(problems, validationFailure);
	}

	private List<String> unknownKeys(Iterable<ConfigurationPropertySource> sources) {
		Map<ConfigurationPropertyName, String> unknown = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : sources) {
			if (source instanceof IterableConfigurationPropertySource iterable && CHECKED_SOURCES.apply(source)) {
				iterable.filter(ROOT::isAncestorOf).stream().forEach((name) -> {
					String problem = unknown.containsKey(name) ? null : this.names.problem(name);
					if (problem != null) {
						unknown.put(name, problem + from(iterable.getConfigurationProperty(name)));
					}
				});
			}
		}
		return new ArrayList<>(unknown.values());
	}

	private List<String> unresolvedPlaceholders() {
		List<String> unresolved = new ArrayList<>();
		for (ConfigurationProperty property : this.bound.values()) {
			if (property.getValue() instanceof String value && value.contains(SystemPropertyUtils.PLACEHOLDER_PREFIX)) {
				for (String placeholder : unresolvedPlaceholders(value)) {
					// The name and the placeholder only: the rest of the value may be a resolved secret.
					unresolved.add(TokenPropertyNames.written(property.getName()) + " refers to " + SystemPropertyUtils.PLACEHOLDER_PREFIX
							+ placeholder + SystemPropertyUtils.PLACEHOLDER_SUFFIX
							+ ", which no property or environment variable defines" + from(property));
				}
			}
		}
		return unresolved;
	}

	/**
	 * Resolves the value as the binder does, but strictly, once per missing placeholder: each failure names one,
	 * which then counts as resolved so that the next one can be found.
	 */
	private Set<String> unresolvedPlaceholders(String value) {
		Set<String> missing = new LinkedHashSet<>();
		PropertySourcesPlaceholdersResolver resolver = new PropertySourcesPlaceholdersResolver(this.propertySources,
				STRICT_PLACEHOLDERS) {

			@Override
			protected @Nullable String resolvePlaceholder(String placeholder) {
				return missing.contains(placeholder) ? "" : super.resolvePlaceholder(placeholder);
			}

		};
		while (true) {
			try {
				resolver.resolvePlaceholders(value);
				return missing;
			}
			catch (PlaceholderResolutionException ex) {
				if (!missing.add(ex.getPlaceholder())) {
					return missing;
				}
			}
		}
	}

	/**
	 * Says what a property takes, in the words and spelling of its documentation.
	 */
	private static String expected(ResolvableType type) {
		Class<?> resolved = type.resolve(Object.class);
		if (Collection.class.isAssignableFrom(resolved)) {
			ResolvableType element = type.asCollection().getGeneric(0);
			return "a list of " + (isWholeNumber(element.resolve(Object.class)) ? "whole numbers"
					: expected(element).replaceFirst("^an? ", "") + "s");
		}
		if (resolved.isEnum()) {
			List<String> constants = new ArrayList<>();
			for (Object constant : resolved.getEnumConstants()) {
				constants.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
			}
			return "one of " + String.join(", ", constants);
		}
		if (Duration.class.equals(resolved)) {
			return "a duration (such as 30s or 5m)";
		}
		if (isWholeNumber(resolved)) {
			return "a whole number";
		}
		if (Number.class.isAssignableFrom(ClassUtils.resolvePrimitiveIfNecessary(resolved))) {
			return "a number";
		}
		if (Boolean.class.equals(ClassUtils.resolvePrimitiveIfNecessary(resolved))) {
			return "true or false";
		}
		return "a " + resolved.getSimpleName();
	}

	private static boolean isWholeNumber(Class<?> type) {
		Class<?> boxed = ClassUtils.resolvePrimitiveIfNecessary(type);
		return Integer.class.equals(boxed) || Long.class.equals(boxed) || Short.class.equals(boxed);
	}

	/**
	 * Whether a value that failed to convert may be repeated in the report: one meant for a word, a number, a
	 * duration or a list of them. One meant for a map or a group of properties is not: written as a single value,
	 * it is often the whole entry, secret included ({@code headers=X-Api-Key: ...}).
	 */
	private static boolean isRepeatable(ResolvableType type) {
		Class<?> resolved = type.resolve(Object.class);
		if (Collection.class.isAssignableFrom(resolved)) {
			return isRepeatable(type.asCollection().getGeneric(0));
		}
		return BeanUtils.isSimpleValueType(resolved) || Duration.class.equals(resolved)
				|| DataSize.class.equals(resolved);
	}

	/**
	 * Repeats a value in the report when it is as short as the words, numbers and durations properties take (a
	 * typo is then plain to see), on one line. A longer one is described by its length: it may be a secret written
	 * under the wrong property (an encryption key under {@code encryption}), which must not reach the report.
	 */
	private static String repeated(String value) {
		if (value.length() > MAX_REPEATED_LENGTH) {
			return "a value of " + value.length() + " characters";
		}
		return "'" + value.replaceAll("\\p{Cntrl}", "?") + "'";
	}

	/**
	 * Where the user wrote the property: a file and line, or the property source, whose name is enough since
	 * the property's own name is already given.
	 */
	private static String from(@Nullable ConfigurationProperty property) {
		Origin origin = (property != null) ? property.getOrigin() : null;
		if (origin instanceof PropertySourceOrigin propertySource) {
			return " (property source \"" + propertySource.getPropertySource().getName() + "\")";
		}
		return (origin != null) ? " (" + origin + ")" : "";
	}

}
