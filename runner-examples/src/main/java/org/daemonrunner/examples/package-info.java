/** Runnable examples of daemonrunner: {@link org.daemonrunner.examples.SampleDaemon}, the README's quick start. */
package org.daemonrunner.examples;
