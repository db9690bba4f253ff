/** Signal handling in the JVM ({@code sun.misc.Signal}). Not API; may change without notice. */
package org.daemonrunner.internal.signal;
