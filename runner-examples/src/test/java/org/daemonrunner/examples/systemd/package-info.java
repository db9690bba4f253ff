// SPDX-License-Identifier: Apache-2.0
/**
 * Tests of the deployment files under a real systemd: {@link org.daemonrunner.examples.systemd.SystemdSandbox}
 * boots the machine's own systemd in new namespaces on a tmpfs overlay of {@code /} and always tears it down,
 * {@link org.daemonrunner.examples.systemd.SystemdExtension} gives each test a fresh one, and the {@code Systemd*IT}
 * classes install the units and the init script as shipped and check them.
 */
package org.daemonrunner.examples.systemd;
