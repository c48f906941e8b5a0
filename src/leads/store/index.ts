// The only code that runs SQL on the lead tables (leads, lead_events, lead_transitions,
// lead_suppressions, lead_erasures). Exceptions: the read-only aggregates of src/reports/*.
export * from './events';
export * from './leads';
export * from './queryable';
export * from './suppressions';
export * from './transitions';
