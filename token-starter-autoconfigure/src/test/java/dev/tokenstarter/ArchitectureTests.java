package dev.tokenstarter;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.jspecify.annotations.NullMarked;

import org.springframework.boot.autoconfigure.AutoConfiguration;

import dev.tokenstarter.config.TokenProperties;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of the starter's main code, so that a change that breaks one fails the build instead of
 * waiting for a reviewer to notice.
 *
 * <p>The packages stand on floors, each using only those below it:
 * <pre>
 * autoconfigure                                      wires everything; nothing uses it
 * client, observe, user                              the application's faces: HTTP clients; metrics, health, endpoint;
 *                                                    users signing in
 * engine                                             keys, per-key state, renewal, scheduler
 * grant, lock                                        token requests to providers; one renewal at a time
 * ssl, store                                         providers' TLS; where authorized clients are kept
 * config                                             properties, their validation and resolved settings
 * </pre>
 * A package never uses one on its own floor or above: the lock tells the engine about its waits through its
 * own {@code LockObserver}, not the engine's observer.
 */
@AnalyzeClasses(packages = "dev.tokenstarter", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

	private static final String CONFIG = "config";

	private static final String SSL = "ssl";

	private static final String STORE = "store";

	private static final String GRANT = "grant";

	private static final String LOCK = "lock";

	private static final String ENGINE = "engine";

	private static final String CLIENT = "client";

	private static final String OBSERVE = "observe";

	private static final String USER = "user";

	private static final String AUTOCONFIGURE = "autoconfigure";

	@ArchTest
	static final ArchRule noPackageCycles = slices().matching("dev.tokenstarter.(*)..")
		.should()
		.beFreeOfCycles()
		.because("a package that needs one above it takes a callback of its own, which the one above implements");

	@ArchTest
	static final ArchRule packagesUseOnlyTheFloorsBelowThem = layeredArchitecture().consideringOnlyDependenciesInLayers()
		.ensureAllClassesAreContainedInArchitecture()
		.layer(CONFIG).definedBy("dev.tokenstarter.config..")
		.layer(SSL).definedBy("dev.tokenstarter.ssl..")
		.layer(STORE).definedBy("dev.tokenstarter.store..")
		.layer(GRANT).definedBy("dev.tokenstarter.grant..")
		.layer(LOCK).definedBy("dev.tokenstarter.lock..")
		.layer(ENGINE).definedBy("dev.tokenstarter.engine..")
		.layer(CLIENT).definedBy("dev.tokenstarter.client..")
		.layer(OBSERVE).definedBy("dev.tokenstarter.observe..")
		.layer(USER).definedBy("dev.tokenstarter.user..")
		.layer(AUTOCONFIGURE).definedBy("dev.tokenstarter.autoconfigure..")
		.whereLayer(CONFIG).mayOnlyBeAccessedByLayers(SSL, STORE, GRANT, LOCK, ENGINE, CLIENT, OBSERVE, USER, AUTOCONFIGURE)
		.whereLayer(SSL).mayOnlyBeAccessedByLayers(GRANT, LOCK, ENGINE, CLIENT, OBSERVE, AUTOCONFIGURE)
		.whereLayer(STORE).mayOnlyBeAccessedByLayers(GRANT, LOCK, ENGINE, CLIENT, OBSERVE, AUTOCONFIGURE)
		.whereLayer(GRANT).mayOnlyBeAccessedByLayers(ENGINE, CLIENT, OBSERVE, USER, AUTOCONFIGURE)
		.whereLayer(LOCK).mayOnlyBeAccessedByLayers(ENGINE, CLIENT, OBSERVE, AUTOCONFIGURE)
		.whereLayer(ENGINE).mayOnlyBeAccessedByLayers(CLIENT, OBSERVE, USER, AUTOCONFIGURE)
		.whereLayer(CLIENT).mayOnlyBeAccessedByLayers(AUTOCONFIGURE)
		.whereLayer(OBSERVE).mayOnlyBeAccessedByLayers(AUTOCONFIGURE)
		.whereLayer(USER).mayOnlyBeAccessedByLayers(AUTOCONFIGURE)
		.whereLayer(AUTOCONFIGURE).mayNotBeAccessedByAnyLayer();

	@ArchTest
	static final ArchRule onlyTheAutoConfigurationsUseSpringBootsAutoConfiguration = noClasses().that()
		.resideOutsideOfPackage("dev.tokenstarter.autoconfigure..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.springframework.boot.autoconfigure..",
				"org.springframework.boot..autoconfigure.condition..")
		.orShould()
		.dependOnClassesThat()
		.areAnnotatedWith(AutoConfiguration.class)
		.because("conditions and the order of auto-configurations belong to the wiring, so that every part can be "
				+ "built by hand, as the tests do (Boot's property classes, which the HTTP clients read for a "
				+ "group's settings as Boot does, are not wiring)");

	@ArchTest
	static final ArchRule onlyConfigAndTheWiringReadTokenProperties = noClasses().that()
		.resideOutsideOfPackages("dev.tokenstarter.config..", "dev.tokenstarter.autoconfigure..")
		.should()
		.dependOnClassesThat()
		.belongToAnyOf(TokenProperties.class)
		.because("TokenSettings and ProviderSettings are the one source of resolved settings: a raw property "
				+ "misses what the provider inherits from token.defaults");

	/**
	 * Nullness is declared, not guessed: in a {@code @NullMarked} package every type is non-null unless it says
	 * {@code @Nullable}, which IDEs and Kotlin callers read. A new package gets its package-info.java or fails here.
	 */
	@ArchTest
	static void everyPackageIsNullMarked(JavaClasses classes) {
		Set<String> unmarked = classes.stream()
			.map(JavaClass::getPackage)
			.filter((javaPackage) -> !javaPackage.isAnnotatedWith(NullMarked.class))
			.map(JavaPackage::getName)
			.collect(Collectors.toCollection(TreeSet::new));
		assertThat(unmarked).as("packages without a package-info.java annotated @NullMarked").isEmpty();
	}

}
