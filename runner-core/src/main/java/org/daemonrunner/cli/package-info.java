/** Command-line parsing for the runner's actions (commons-cli). Not API; may change without notice. */
package org.daemonrunner.cli;
