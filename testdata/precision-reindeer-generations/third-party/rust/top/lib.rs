// Placeholder for Reindeer.
