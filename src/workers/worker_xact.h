/*
 * worker_xact.h: a transaction with SPI and a snapshot, for the background
 * workers' runner (one unit of work each, committed at the end).
 */
#ifndef STORMOPS_WORKER_XACT_H
#define STORMOPS_WORKER_XACT_H

/* Starts a transaction, connects SPI, pushes a snapshot, reports activity. */
extern void worker_begin_work(const char *activity);

/* Finishes SPI, pops the snapshot, commits. */
extern void worker_end_work(void);

#endif
