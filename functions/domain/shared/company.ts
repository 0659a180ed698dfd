/**
 * The sender of every message: its name and postal address, printed in every email's footer (anti-spam
 * law asks for both) and on the coupon page, the PDF and the opt-in email. Built once from the
 * configuration (COMPANY_NAME, COMPANY_ADDRESS) and handed to whatever renders.
 */
export interface Company {
  name: string;
  address: string;
}
