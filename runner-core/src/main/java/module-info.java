// SPDX-License-Identifier: Apache-2.0
/**
 * daemonrunner: turns a JVM program into a well-behaved Unix daemon. Only {@code org.daemonrunner} is API; the
 * {@code org.daemonrunner.internal} packages are not exported.
 */
@SuppressWarnings("requires-automatic") // jnr's jars have no module descriptor, only Automatic-Module-Name
module org.daemonrunner {
    requires transitive org.apache.commons.cli;
    requires org.slf4j;
    // whether the app has an SLF4J binding, asked before the debug log's first use (DebugLog)
    uses org.slf4j.spi.SLF4JServiceProvider;
    requires org.jnrproject.posix;
    requires org.jnrproject.ffi;
    requires org.jnrproject.constants;
    // sun.misc.Signal: the daemon's signal handlers
    requires jdk.unsupported;

    exports org.daemonrunner;
}
