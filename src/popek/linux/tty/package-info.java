/** Terminals for containers: pseudo-terminals, the line discipline, {@code popek run -t} (to come). */
package popek.linux.tty;
