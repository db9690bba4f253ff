// SPDX-License-Identifier: Apache-2.0
/**
 * Runnable examples of daemonrunner: {@link org.daemonrunner.examples.SampleDaemon}, the README's quick start, and
 * {@link org.daemonrunner.examples.HttpService}, a small HTTP service that binds in {@code init()}, reloads its
 * configuration on SIGHUP and can drop root privileges after binding.
 */
package org.daemonrunner.examples;
