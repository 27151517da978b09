"""Dashboard: the panel list, the set-based KPIs and the snapshots of the slow panels."""
