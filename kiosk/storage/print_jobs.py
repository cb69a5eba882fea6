"""Print jobs as records: written before a document goes to a printer, updated when it has gone.

Rules that keep paper from being lost or doubled:
- a job is recorded `pending` before anything is sent, `printing` while the spooler has it, then
  `done` or `failed` with the staff message; each state change is its own short transaction;
- a failed job is never retried by itself: staff ask for a reprint, which is a new job pointing to
  the old one (`reprint_of`), so the record shows every sheet that left the printer;
- jobs left `pending` or `printing` by a crash are marked failed at the next start ("interrupted"),
  because nobody can tell whether the paper came out: staff decide whether to reprint.
Error texts are printer messages only: never a name or an ID from the document.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import NotFoundError
from kiosk.storage.db import Database
from kiosk.storage.models import PrintJob

PENDING, PRINTING, DONE, FAILED = "pending", "printing", "done", "failed"
UNFINISHED = (PENDING, PRINTING)
INTERRUPTED = "interrupted: the kiosk stopped before the printer confirmed this job"


@dataclass(frozen=True)
class PrintJobView:
    id: str
    document: str
    case_id: str | None
    printer: str
    state: str
    attempts: int
    error: str
    reprint_of: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _view(job: PrintJob) -> PrintJobView:
    return PrintJobView(
        job.id,
        job.document,
        job.case_id,
        job.printer,
        job.state,
        job.attempts,
        job.error,
        job.reprint_of,
        job.created_at,
        job.finished_at,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PrintJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, document: str, case_id: str | None, printer: str, *, reprint_of: str | None = None
    ) -> PrintJobView:
        """A new job, `pending`, committed before the document is sent anywhere."""
        with self.db.unit_of_work() as s, s.begin():
            if reprint_of is not None and s.get(PrintJob, reprint_of) is None:
                raise NotFoundError("ไม่พบงานพิมพ์ที่ต้องการพิมพ์ซ้ำ", f"No print job {reprint_of}")
            job = PrintJob(
                id=str(uuid.uuid4()),
                document=document,
                case_id=case_id,
                printer=printer,
                state=PENDING,
                attempts=0,
                error="",
                reprint_of=reprint_of,
                created_at=_now(),
            )
            s.add(job)
            s.flush()
            return _view(job)

    def mark_printing(self, job_id: str) -> PrintJobView:
        """The job is about to be handed to the spooler: one attempt, never repeated silently."""
        with self.db.unit_of_work() as s, s.begin():
            job = self._load(s, job_id)
            if job.state != PENDING:
                raise NotFoundError(
                    "งานพิมพ์นี้ถูกส่งไปแล้ว", f"Print job {job_id} is {job.state}, not pending: use a reprint"
                )
            job.state, job.attempts = PRINTING, job.attempts + 1
            return _view(job)

    def mark_done(self, job_id: str, *, printer: str | None = None) -> PrintJobView:
        return self._finish(job_id, DONE, "", printer)

    def mark_failed(self, job_id: str, error: str, *, printer: str | None = None) -> PrintJobView:
        return self._finish(job_id, FAILED, error, printer)

    def reprint(self, job_id: str, *, printer: str | None = None) -> PrintJobView:
        """A staff request to print a job's document again: a new pending job pointing to it."""
        original = self.get(job_id)
        return self.record(
            original.document,
            original.case_id,
            original.printer if printer is None else printer,
            reprint_of=original.id,
        )

    def recover_interrupted(self) -> list[PrintJobView]:
        """At start-up: jobs a crash left unfinished become failed, for staff to look at."""
        with self.db.unit_of_work() as s, s.begin():
            jobs = list(s.scalars(select(PrintJob).where(PrintJob.state.in_(UNFINISHED))))
            for job in jobs:
                job.state, job.error, job.finished_at = FAILED, INTERRUPTED, _now()
            return [_view(j) for j in jobs]

    def get(self, job_id: str) -> PrintJobView:
        with self.db.session() as s:
            return _view(self._load(s, job_id))

    def list(
        self, *, case_id: str | None = None, state: str | None = None, limit: int = 100
    ) -> list[PrintJobView]:
        query = select(PrintJob).order_by(PrintJob.created_at.desc()).limit(limit)
        if case_id is not None:
            query = query.where(PrintJob.case_id == case_id)
        if state is not None:
            query = query.where(PrintJob.state == state)
        with self.db.session() as s:
            return [_view(j) for j in s.scalars(query)]

    def _finish(self, job_id: str, state: str, error: str, printer: str | None) -> PrintJobView:
        with self.db.unit_of_work() as s, s.begin():
            job = self._load(s, job_id)
            job.state, job.error, job.finished_at = state, error[:2000], _now()
            if printer is not None:
                job.printer = printer
            return _view(job)

    @staticmethod
    def _load(s: Session, job_id: str) -> PrintJob:
        job = s.get(PrintJob, job_id)
        if job is None:
            raise NotFoundError("ไม่พบงานพิมพ์", f"No print job {job_id}")
        return job
