/** placeholder */
package io.chronik.raft;
