// The lead feature's errors; src/api/errors.ts maps them to HTTP answers.

export class UnknownLeadError extends Error {
  constructor(readonly leadId: string) {
    super(`no lead with id ${leadId}`);
    this.name = 'UnknownLeadError';
  }
}

export class EventIdConflictError extends Error {
  constructor(readonly eventId: string) {
    super(`eventId ${eventId} already belongs to another lead`);
    this.name = 'EventIdConflictError';
  }
}

export class SuppressedLeadError extends Error {
  constructor() {
    super('this person was erased on request and is not enrolled again unless the request says consent: "renewed"');
    this.name = 'SuppressedLeadError';
  }
}
