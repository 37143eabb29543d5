/** Verification outcomes and their statuses are part of the wire contract (`@elyzor/contract`). */
export { VERIFY_STATUS, type VerifyOutcome } from '@elyzor/contract';
